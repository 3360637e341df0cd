import Foundation
import Synchronization

/// A product as Catalog's API answers it (`GET /api/v1/catalog/items/{id}`).
struct CatalogItem: Codable, Sendable, Equatable {
    var id: Int
    var name: String
    var description: String
    var price: Decimal
    var catalogTypeId: Int
    var catalogBrandId: Int
    var availableStock: Int
    var restockThreshold: Int
    var maxStockThreshold: Int
}

/// The fields an admin writes (`POST`/`PUT /api/v1/catalog/items`).
struct CatalogItemFields: Codable, Sendable {
    var name: String
    var description: String
    var price: Decimal
    var catalogTypeId: Int
    var catalogBrandId: Int
    var availableStock: Int
    var restockThreshold: Int
    var maxStockThreshold: Int
}

/// One page of a listing: `{"pageIndex","pageSize","count","items"}`.
struct CatalogPage: Decodable, Sendable {
    var pageIndex: Int
    var pageSize: Int
    var count: Int
    var items: [CatalogItemSummary]
}

/// An item of a listing as the storefront shows it (a card, an admin's price row): the fields of
/// ``CatalogItem`` it uses. The page's other fields are not decoded.
struct CatalogItemSummary: Decodable, Sendable, Equatable {
    var id: Int
    var name: String
    var price: Decimal
}

struct CatalogBrand: Decodable, Sendable {
    var id: Int
    var brand: String
}

struct CatalogType: Decodable, Sendable {
    var id: Int
    var type: String
}

/// How a search was answered: Catalog's semantic search, or the name-prefix filter it falls back to.
enum SearchMode: String, Sendable {
    case semantic
    case name
}

/// Catalog's API (docs/catalog.md). Brands and types have no write API, so they are kept for
/// `listLifetime` instead of being asked for on every page.
final class CatalogAPI: Sendable {
    let client: APIClient
    let listLifetime: Duration
    private let lists = Mutex<(brands: [CatalogBrand], types: [CatalogType], fetchedAt: ContinuousClock.Instant)?>(nil)

    init(client: APIClient, listLifetime: Duration = .seconds(60)) {
        self.client = client
        self.listLifetime = listLifetime
    }

    /// `GET /api/v1/catalog/items` with the filters given (`name` is a case-sensitive prefix).
    func page(index: Int, size: Int, brandId: Int?, typeId: Int?, name: String?) async throws -> CatalogPage {
        var query = "pageIndex=\(index)&pageSize=\(size)"
        if let brandId { query += "&brandId=\(brandId)" }
        if let typeId { query += "&typeId=\(typeId)" }
        if let name { query += "&name=\(name.queryEscaped)" }
        guard let page = try await client.get("/api/v1/catalog/items?" + query, as: CatalogPage.self) else {
            throw BackendContractError(backend: client.name, status: 404)
        }
        return page
    }

    /// Catalog's semantic search (`GET /api/v1/catalog/items/withsemanticrelevance`), which
    /// answers the mode it used in `Search-Mode`; `nil` when this Catalog cannot answer it: no such
    /// route (a Catalog without it takes the path for `items/{id}` and answers 404 or 400), or
    /// down (the name search that follows then reports the outage).
    func semanticSearch(text: String, index: Int, size: Int) async throws -> (page: CatalogPage, mode: SearchMode)? {
        let response: APIResponse
        do {
            response = try await client.send(
                .GET, "/api/v1/catalog/items/withsemanticrelevance?text=\(text.queryEscaped)&pageSize=\(size)&pageIndex=\(index)")
        } catch is BackendUnavailable {
            return nil
        }
        guard response.status == 200 else { return nil }
        let mode = response.headers.first(name: "Search-Mode").flatMap(SearchMode.init(rawValue:)) ?? .semantic
        return (try response.decode(CatalogPage.self), mode)
    }

    func item(_ id: Int) async throws -> CatalogItem? {
        try await client.get("/api/v1/catalog/items/\(id)", as: CatalogItem.self)
    }

    /// The items among `ids` that exist (at most 100 ids), ordered by id.
    func items(_ ids: [Int]) async throws -> [CatalogItem] {
        guard !ids.isEmpty else { return [] }
        let list = ids.prefix(100).map(String.init).joined(separator: ",")
        return try await client.get("/api/v1/catalog/items/by_ids?ids=\(list)", as: [CatalogItem].self) ?? []
    }

    /// Brands and types, from the copy kept for `listLifetime`.
    func brandsAndTypes() async throws -> (brands: [CatalogBrand], types: [CatalogType]) {
        let now = ContinuousClock.now
        if let kept = lists.withLock({ $0 }), now - kept.fetchedAt < listLifetime { return (kept.brands, kept.types) }
        async let brands = client.get("/api/v1/catalog/brands", as: [CatalogBrand].self)
        async let types = client.get("/api/v1/catalog/types", as: [CatalogType].self)
        let fetched = (brands: try await brands ?? [], types: try await types ?? [])
        lists.withLock { $0 = (fetched.brands, fetched.types, now) }
        return fetched
    }

    /// `POST /api/v1/catalog/items` as an admin: 201, or 400 with the fields' errors.
    func create(_ fields: CatalogItemFields, token: String) async throws -> APIResponse {
        try await client.send(.POST, "/api/v1/catalog/items", token: token, json: fields)
    }

    /// `PUT /api/v1/catalog/items/{id}` as an admin: 200, 400 with the fields' errors, or 404.
    func update(_ id: Int, _ fields: CatalogItemFields, token: String) async throws -> APIResponse {
        try await client.send(.PUT, "/api/v1/catalog/items/\(id)", token: token, json: fields)
    }

    /// The item's picture as Catalog serves it (SVG, `ETag`, `Cache-Control`; 304 on a match).
    func picture(_ id: Int, ifNoneMatch: String?) async throws -> APIResponse {
        try await client.send(.GET, "/api/v1/catalog/items/\(id)/pic", headers: ifNoneMatch.map { [("If-None-Match", $0)] } ?? [])
    }
}

extension CatalogItemFields {
    init(_ item: CatalogItem) {
        self.init(
            name: item.name, description: item.description, price: item.price, catalogTypeId: item.catalogTypeId,
            catalogBrandId: item.catalogBrandId, availableStock: item.availableStock, restockThreshold: item.restockThreshold,
            maxStockThreshold: item.maxStockThreshold)
    }
}
