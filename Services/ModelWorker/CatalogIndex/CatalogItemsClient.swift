import AsyncHTTPClient
import Foundation
import NIOCore
import ServiceDefaults

/// What the index needs of a catalog item: its id and the text that is embedded.
struct CatalogText: Sendable, Equatable, Decodable {
    var id: Int
    var name: String
    var description: String

    /// The text embedded for the item: its name and description as one passage.
    var text: String { description.isEmpty ? name : "\(name). \(description)" }
}

/// Catalog's API, read by the worker (`CATALOG_URL`): pages of items for the sync at start,
/// and items by id when an event names them.
struct CatalogItemsClient: Sendable {
    /// Catalog's largest page.
    static let pageSize = 100

    let baseURL: String
    let httpClient: HTTPClient
    let timeout: Duration

    init(baseURL: String, timeout: Duration = .seconds(10), httpClient: HTTPClient = .services) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
        self.httpClient = httpClient
    }

    struct Page: Sendable, Decodable {
        var count: Int
        var items: [CatalogText]
    }

    /// `GET /api/v1/catalog/items?pageIndex=&pageSize=100`: items by name then id.
    func page(_ pageIndex: Int) async throws -> Page {
        try await get("/api/v1/catalog/items?pageIndex=\(pageIndex)&pageSize=\(Self.pageSize)")
    }

    /// `GET /api/v1/catalog/items/by_ids`: the items among `ids` that still exist.
    func items(_ ids: [Int]) async throws -> [CatalogText] {
        var found: [CatalogText] = []
        for start in stride(from: 0, to: ids.count, by: Self.pageSize) {
            let chunk = ids[start..<min(ids.count, start + Self.pageSize)]
            found += try await get("/api/v1/catalog/items/by_ids?ids=" + chunk.map(String.init).joined(separator: ",")) as [CatalogText]
        }
        return found
    }

    private func get<Answer: Decodable>(_ path: String) async throws -> Answer {
        let response = try await httpClient.execute(HTTPClientRequest(url: baseURL + path), timeout: TimeAmount(timeout))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok else { throw CatalogUnavailable(reason: "GET \(path) answered \(response.status.code)") }
        return try JSONDecoder().decode(Answer.self, from: body)
    }
}

/// Catalog answered with an error status.
struct CatalogUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { "Catalog is unavailable: \(reason)" }
}
