import Embeddings
import Foundation
import Hummingbird
import ServiceDefaults
import VectorIndex

/// `GET /api/v1/search?text=&limit=`: catalog items by meaning, from this replica's
/// ``CatalogIndex``.
struct SearchController: Sendable {
    let index: CatalogIndex

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get(use: search)
        return routes
    }

    /// 200 with `[{"productId","score"}]`, most similar first (`score`: cosine similarity,
    /// −1…1); 400 for a bad `text` (``SearchText``, or a text without a token the model reads:
    /// only accents or control characters) or `limit`; 503 with `Retry-After` while the index is
    /// not ready (model loading, syncing, or standing by).
    @Sendable func search(_ request: Request, context: ServiceRequestContext) async throws -> [SearchResult] {
        let query = try SearchQuery(request.uri.queryParameters)
        do {
            return try await index.search(query.text, limit: query.limit).map { SearchResult(productId: $0.id, score: $0.score) }
        } catch let error as CatalogIndexError {
            throw ProblemDetails(.serviceUnavailable, detail: "\(error)", retryAfterSeconds: 1)
        } catch let error as EmbeddingsError where error.code == .emptyText {
            throw ProblemDetails(
                .badRequest, detail: "invalid query parameters", errors: ["text": ["has no word the model can read (only accents or control characters)"]])
        }
    }
}

/// The query of a search: `text` (``SearchText``) and `limit` 1…1000 (default 10).
struct SearchQuery: Sendable, Equatable {
    static let maximumLimit = 1_000

    var text: String
    var limit: Int

    init(_ parameters: Parameters) throws(ProblemDetails) {
        var errors: [String: [String]] = [:]
        let text = parameters.get("text")
        if let problem = SearchText.problem(text) { errors["text"] = [problem] }
        limit = 10
        if let value = parameters.get("limit") {
            if let parsed = Int(value), (1...Self.maximumLimit).contains(parsed) {
                limit = parsed
            } else {
                errors["limit"] = ["must be a whole number 1…\(Self.maximumLimit)"]
            }
        }
        guard errors.isEmpty, let text else { throw ProblemDetails(.badRequest, detail: "invalid query parameters", errors: errors) }
        self.text = text
    }
}

/// One search result.
struct SearchResult: ResponseEncodable, Decodable, Equatable, Sendable {
    var productId: Int
    var score: Float
}
