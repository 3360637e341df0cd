import Foundation
import Hummingbird
import ServiceDefaults

extension CatalogItem: ResponseEncodable {}
extension CatalogBrand: ResponseEncodable {}
extension CatalogType: ResponseEncodable {}

/// `GET /api/v1/catalog/items`: one page and the number of matching items across all pages.
struct CatalogPageResponse: ResponseEncodable {
    var pageIndex: Int
    var pageSize: Int
    var count: Int
    var items: [CatalogItem]
}

/// The query of a listing: `pageIndex` ≥ 0 (default 0), `pageSize` 1…100 (default 10), and the
/// optional filters `brandId`, `typeId`, `name` (a prefix).
struct CatalogListQuery: Sendable {
    static let maximumPageSize = 100
    /// Keeps `pageIndex × pageSize` well inside PostgreSQL's `OFFSET` range.
    static let maximumPageIndex = 1_000_000

    var pageIndex: Int
    var pageSize: Int
    var filter: CatalogItemFilter

    init(_ parameters: Parameters) throws(ProblemDetails) {
        var errors: [String: [String]] = [:]
        func integer(_ name: String, default defaultValue: Int?, range: ClosedRange<Int>, message: String) -> Int? {
            guard let text = parameters.get(name) else { return defaultValue }
            guard let value = Int(text), range.contains(value) else {
                errors[name] = [message]
                return defaultValue
            }
            return value
        }
        pageIndex = integer("pageIndex", default: 0, range: 0...Self.maximumPageIndex, message: "must be a whole number 0…\(Self.maximumPageIndex)") ?? 0
        pageSize = integer("pageSize", default: 10, range: 1...Self.maximumPageSize, message: "must be a whole number 1…\(Self.maximumPageSize)") ?? 10
        let brandId = integer("brandId", default: nil, range: 1...Int(Int32.max), message: "must be a positive whole number")
        let typeId = integer("typeId", default: nil, range: 1...Int(Int32.max), message: "must be a positive whole number")
        let name = parameters.get("name")
        if let name {
            if name.isEmpty { errors["name"] = ["must be 1…50 characters"] }
            if let problem = PostgresText.problem(name, maximumCharacters: 50) { errors["name", default: []].append(problem) }
        }
        guard errors.isEmpty else { throw ProblemDetails(.badRequest, detail: "invalid query parameters", errors: errors) }
        filter = CatalogItemFilter(brandId: brandId, typeId: typeId, namePrefix: name)
    }
}

/// `ids=1,2,3`: 1…100 positive item ids, comma-separated.
struct CatalogIDList: Sendable {
    static let maximumCount = 100
    var ids: [Int]

    init(_ text: String?) throws(ProblemDetails) {
        guard let text, !text.isEmpty else {
            throw ProblemDetails(.badRequest, detail: "ids is required", errors: ["ids": ["is required"]])
        }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= Self.maximumCount else {
            throw ProblemDetails(.badRequest, detail: "at most \(Self.maximumCount) ids", errors: ["ids": ["at most \(Self.maximumCount) ids"]])
        }
        var ids: [Int] = []
        for part in parts {
            guard let id = Int(part.trimmingCharacters(in: .whitespaces)), (1...Int(Int32.max)).contains(id) else {
                throw ProblemDetails(
                    .badRequest, detail: "ids must be positive whole numbers separated by commas",
                    errors: ["ids": ["'\(part)' is not an item id"]])
            }
            ids.append(id)
        }
        self.ids = ids
    }
}

/// The `{id}` of an item route.
struct CatalogItemID: Sendable {
    var value: Int

    init(_ context: some RequestContext) throws(ProblemDetails) {
        guard let text = context.parameters.get("id"), let value = Int(text), (1...Int(Int32.max)).contains(value) else {
            throw ProblemDetails(.badRequest, detail: "the item id must be a positive whole number", errors: ["id": ["must be a positive whole number"]])
        }
        self.value = value
    }

    var notFound: ProblemDetails { ProblemDetails(.notFound, detail: "no catalog item with id \(value)") }
}

/// The query of `withsemanticrelevance`: `text` (``SearchText``), `pageIndex` ≥ 0 (default 0),
/// `pageSize` 1…100 (default 10).
struct CatalogSearchQuery: Sendable {
    var text: String
    var pageIndex: Int
    var pageSize: Int

    init(_ parameters: Parameters) throws(ProblemDetails) {
        var errors: [String: [String]] = [:]
        func integer(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) -> Int {
            guard let text = parameters.get(name) else { return defaultValue }
            guard let value = Int(text), range.contains(value) else {
                errors[name] = ["must be a whole number \(range.lowerBound)…\(range.upperBound)"]
                return defaultValue
            }
            return value
        }
        pageIndex = integer("pageIndex", default: 0, range: 0...CatalogListQuery.maximumPageIndex)
        pageSize = integer("pageSize", default: 10, range: 1...CatalogListQuery.maximumPageSize)
        let text = parameters.get("text")
        if let problem = SearchText.problem(text) { errors["text"] = [problem] }
        guard errors.isEmpty, let text else { throw ProblemDetails(.badRequest, detail: "invalid query parameters", errors: errors) }
        self.text = text
    }
}
