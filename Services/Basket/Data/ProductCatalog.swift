import AsyncHTTPClient
import Foundation
import NIOCore
import ServiceDefaults
import Synchronization

/// What the basket needs to know of a product: its name, current price and picture.
struct Product: Sendable, Equatable {
    var id: Int
    var name: String
    var price: Decimal
    var pictureUrl: String
}

/// The catalog's current products, looked up by id.
protocol ProductCatalog: Sendable {
    /// The products among `ids` that exist, by id (unknown ids are absent). Throws
    /// ``CatalogUnavailable`` when the catalog cannot answer.
    func products(_ ids: [Int]) async throws -> [Int: Product]
}

/// The catalog did not answer (down, timed out, or failing with a 5xx): retry later.
struct CatalogUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { "the catalog is unavailable: \(reason)" }
}

/// The catalog refused the request (a 4xx): retrying it cannot help, so it is the client's
/// mistake (a 400), never an outage.
struct CatalogRefusedRequest: Error, CustomStringConvertible {
    var status: Int
    var description: String { "the catalog refused the product ids (\(status))" }
}

/// Catalog's `GET /api/v1/catalog/items/by_ids?ids=…` over HTTP, at most 100 ids per request.
struct HTTPProductCatalog: ProductCatalog {
    /// Where Catalog listens (`CATALOG_URL`), also the base of picture URLs.
    let baseURL: String
    let timeout: Duration
    let httpClient: HTTPClient

    init(baseURL: String, timeout: Duration = .seconds(2), httpClient: HTTPClient = .services) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
        self.httpClient = httpClient
    }

    /// One item of Catalog's answer (its other fields are not needed here).
    private struct CatalogItem: Decodable {
        var id: Int
        var name: String
        var price: Decimal
    }

    func products(_ ids: [Int]) async throws -> [Int: Product] {
        var found: [Int: Product] = [:]
        for start in stride(from: 0, to: ids.count, by: 100) {
            let chunk = ids[start..<min(start + 100, ids.count)]
            let url = "\(baseURL)/api/v1/catalog/items/by_ids?ids=" + chunk.map(String.init).joined(separator: ",")
            let items: [CatalogItem]
            do {
                let response = try await httpClient.execute(HTTPClientRequest(url: url), timeout: TimeAmount(timeout))
                if (400..<500).contains(response.status.code) { throw CatalogRefusedRequest(status: Int(response.status.code)) }
                guard response.status == .ok else { throw CatalogUnavailable(reason: "by_ids answered \(response.status.code)") }
                let body = try await response.body.collect(upTo: 4 * 1024 * 1024)
                items = try JSONDecoder().decode([CatalogItem].self, from: body)
            } catch let error as CancellationError {
                throw error
            } catch let error as CatalogUnavailable {
                throw error
            } catch let error as CatalogRefusedRequest {
                throw error
            } catch {
                throw CatalogUnavailable(reason: String(describing: error))
            }
            for item in items {
                found[item.id] = Product(id: item.id, name: item.name, price: item.price, pictureUrl: "\(baseURL)/api/v1/catalog/items/\(item.id)/pic")
            }
        }
        return found
    }
}

/// A short-lived cache in front of a ``ProductCatalog``, so a basket read does not ask Catalog
/// every time. `ProductPriceChanged` invalidates a product at once; otherwise entries live `lifetime`.
final class CachedProductCatalog: ProductCatalog {
    let base: any ProductCatalog
    let lifetime: Duration
    private let entries = Mutex<[Int: (product: Product, fetchedAt: ContinuousClock.Instant)]>([:])

    init(_ base: any ProductCatalog, lifetime: Duration = .seconds(30)) {
        self.base = base
        self.lifetime = lifetime
    }

    func products(_ ids: [Int]) async throws -> [Int: Product] {
        let now = ContinuousClock.now
        var found: [Int: Product] = [:]
        entries.withLock { entries in
            for id in ids { if let entry = entries[id], now - entry.fetchedAt < lifetime { found[id] = entry.product } }
        }
        let missing = ids.filter { found[$0] == nil }
        guard !missing.isEmpty else { return found }
        let fetched = try await base.products(missing)
        entries.withLock { entries in
            for (id, product) in fetched { entries[id] = (product, now) }
        }
        return found.merging(fetched) { _, new in new }
    }

    /// Forgets `productId`, so the next read asks Catalog.
    func invalidate(_ productId: Int) {
        _ = entries.withLock { $0.removeValue(forKey: productId) }
    }
}
