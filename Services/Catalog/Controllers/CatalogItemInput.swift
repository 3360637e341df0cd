import Foundation
import Hummingbird
import ServiceDefaults

/// The body of `POST` and `PUT /api/v1/catalog/items…`: every field is checked, and a 400
/// problem names each one that is missing, of the wrong type or out of range.
///
/// `price` is a JSON number with at most two decimals, decoded exactly (`Decimal`).
struct CatalogItemInput: Decodable, Sendable {
    /// Each field as sent, or the reason it could not be read.
    private var fields: [String: Result<FieldValue, FieldError>] = [:]

    enum FieldValue: Sendable {
        case text(String)
        case number(Decimal)
    }

    struct FieldError: Error, Sendable {
        var message: String
    }

    static let textFields = ["name", "description"]
    static let numberFields = ["price", "catalogTypeId", "catalogBrandId", "availableStock", "restockThreshold", "maxStockThreshold"]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for name in Self.textFields {
            let key = Key(stringValue: name)
            guard container.contains(key) else { continue }
            fields[name] = (try? container.decode(String.self, forKey: key)).map { .success(.text($0)) } ?? .failure(FieldError(message: "must be a string"))
        }
        for name in Self.numberFields {
            let key = Key(stringValue: name)
            guard container.contains(key) else { continue }
            fields[name] = (try? container.decode(Decimal.self, forKey: key)).map { .success(.number($0)) } ?? .failure(FieldError(message: "must be a number"))
        }
    }

    /// Decodes the JSON body and checks every field.
    static func read(_ request: Request, context: some RequestContext) async throws -> CatalogItemFields {
        let input: CatalogItemInput
        do {
            input = try await request.decode(as: CatalogItemInput.self, context: context)
        } catch is DecodingError {
            throw ProblemDetails(.badRequest, detail: "the body must be a JSON object")
        }
        return try input.validated()
    }

    func validated() throws(ProblemDetails) -> CatalogItemFields {
        var errors: [String: [String]] = [:]
        func text(_ name: String, required: Bool, maxLength: Int) -> String {
            switch fields[name] {
            case .success(.text(let value))?:
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                if required && trimmed.isEmpty { errors[name] = ["is required"] }
                if let problem = PostgresText.problem(value, maximumCharacters: maxLength) { errors[name, default: []].append(problem) }
                return value
            case .failure(let error)?: errors[name] = [error.message]
            case nil, .success(.number)?: if required { errors[name] = ["is required"] }
            }
            return ""
        }
        func integer(_ name: String, range: ClosedRange<Int>) -> Int {
            switch fields[name] {
            case .success(.number(let value))?:
                if let whole = Int(exactly: value), range.contains(whole) { return whole }
                errors[name] = ["must be a whole number \(range.lowerBound)…\(range.upperBound)"]
            case .failure(let error)?: errors[name] = [error.message]
            case nil, .success(.text)?: errors[name] = ["is required"]
            }
            return 0
        }
        let name = text("name", required: true, maxLength: 50)
        let description = text("description", required: false, maxLength: 2_000)
        var price = Decimal.zero
        switch fields["price"] {
        case .success(.number(let value))?:
            if value < 0 || value > Self.maximumPrice || !Self.hasAtMostTwoDecimals(value) {
                errors["price"] = ["must be 0…\(Self.maximumPrice) with at most two decimals"]
            }
            price = value
        case .failure(let error)?: errors["price"] = [error.message]
        case nil, .success(.text)?: errors["price"] = ["is required"]
        }
        let stockRange = 0...Int(Int32.max)
        let idRange = 1...Int(Int32.max)
        let result = CatalogItemFields(
            name: name, description: description, price: price,
            catalogTypeId: integer("catalogTypeId", range: idRange), catalogBrandId: integer("catalogBrandId", range: idRange),
            availableStock: integer("availableStock", range: stockRange), restockThreshold: integer("restockThreshold", range: stockRange),
            maxStockThreshold: integer("maxStockThreshold", range: stockRange))
        guard errors.isEmpty else { throw ProblemDetails(.badRequest, detail: "one or more fields are invalid", errors: errors) }
        return result
    }

    /// The largest `numeric(10,2)`.
    static let maximumPrice = Decimal(string: "99999999.99")!

    static func hasAtMostTwoDecimals(_ value: Decimal) -> Bool {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, 2, .plain)
        return rounded == value
    }
}

extension Int {
    /// The whole number `value` is exactly, if any.
    init?(exactly value: Decimal) {
        guard let whole = Int(exactly: NSDecimalNumber(decimal: value).int64Value), Decimal(whole) == value else { return nil }
        self = whole
    }
}
