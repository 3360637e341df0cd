import Foundation
import Hummingbird
import ServiceDefaults
import StateFolder

/// `GET /api/v1/recommendations/{productId}?limit=`: the products most often bought with it, from
/// the committed keyed state (any replica answers, owner or standby), blended with semantic
/// neighbours when it has few purchases (``RecommendationBlend``).
struct RecommendationsController: Sendable {
    let reader: KeyedStateReader
    let index: CatalogIndex

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get(":productId", use: recommendations)
        return routes
    }

    /// 200 with the counts, neighbours and blend; 400 for a bad id or limit; 404 when no paid
    /// order held the product and the catalog index does not know it (or is not ready).
    @Sendable func recommendations(_ request: Request, context: ServiceRequestContext) async throws -> Recommendations {
        guard let text = context.parameters.get("productId"), let productId = Int(text), (1...Int(Int32.max)).contains(productId) else {
            throw ProblemDetails(.badRequest, detail: "the product id must be a positive whole number", errors: ["productId": ["must be a positive whole number"]])
        }
        var limit = 10
        if let value = request.uri.queryParameters.get("limit") {
            guard let parsed = Int(value), (1...100).contains(parsed) else {
                throw ProblemDetails(.badRequest, detail: "limit must be a whole number 1…100", errors: ["limit": ["must be a whole number 1…100"]])
            }
            limit = parsed
        }
        let values = try await reader.values(of: String(productId))
        let orders = values["orders"].flatMap(Self.count) ?? 0
        let together = values.compactMap { key, value -> Recommendations.Item? in
            guard key.hasPrefix("with:"), let other = Int(key.dropFirst(5)), let count = Self.count(value) else { return nil }
            return Recommendations.Item(productId: other, count: count)
        }
        let top = Array(together.sorted { ($0.count, -$0.productId) > ($1.count, -$1.productId) }.prefix(limit))
        var neighbours: [Recommendations.Similar] = []
        if orders < RecommendationBlend.fewOrders {
            do {
                neighbours = try await index.neighbours(of: productId, limit: limit + top.count).map {
                    Recommendations.Similar(productId: $0.id, score: $0.score)
                }
            } catch is CatalogIndexError {
                // The index is not ready (model loading, syncing, standing by): counts alone.
            }
        }
        guard orders > 0 || !neighbours.isEmpty else {
            throw ProblemDetails(.notFound, detail: "no paid order holds product \(productId), and the catalog index does not know it")
        }
        let blend = RecommendationBlend.blend(productId: productId, orders: orders, boughtTogether: top, neighbours: neighbours, limit: limit)
        return Recommendations(productId: productId, orders: orders, boughtTogether: top, similar: blend.similar, recommended: blend.recommended)
    }

    /// A stored JSON integer.
    static func count(_ data: Data) -> Int? { try? JSONDecoder().decode(Int.self, from: data) }
}

/// The answer: catalog ids with counts, most often bought together first (then by id); the
/// semantic neighbours the blend added; and the blended list.
struct Recommendations: ResponseEncodable, Decodable, Equatable {
    struct Item: Codable, Equatable {
        var productId: Int
        var count: Int
    }

    /// A semantic neighbour: `score` is the cosine similarity of the two items' vectors.
    struct Similar: Codable, Equatable {
        var productId: Int
        var score: Float
    }

    var productId: Int
    /// Paid orders holding the product.
    var orders: Int
    var boughtTogether: [Item]
    /// Neighbours by meaning, added when the product has few purchases (else empty).
    var similar: [Similar]
    /// The recommended product ids: `boughtTogether`'s, then `similar`'s.
    var recommended: [Int]
}
