import AsyncHTTPClient
import Foundation
import NIOCore
import ServiceDefaults

/// Catalog items ranked by meaning: the model worker's search.
protocol SemanticRanking: Sendable {
    /// Item ids most similar in meaning to `text`, best first, at most `limit`.
    /// - Throws: ``SemanticRankingUnavailable`` when the worker cannot answer (down, not ready,
    ///   slow, or failing); the caller falls back to name search.
    func rank(_ text: String, limit: Int) async throws -> [Int]
}

/// The model worker did not rank (why, for the log).
struct SemanticRankingUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { "semantic search is unavailable: \(reason)" }
}

/// The model worker's `GET /api/v1/search?text=&limit=` over HTTP (`MODEL_WORKER_URL`).
struct HTTPSemanticRanking: SemanticRanking {
    let baseURL: String
    let timeout: Duration
    let httpClient: HTTPClient

    init(baseURL: String, timeout: Duration, httpClient: HTTPClient = .services) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
        self.httpClient = httpClient
    }

    /// One result of the worker's answer.
    private struct Match: Decodable {
        var productId: Int
        var score: Float
    }

    func rank(_ text: String, limit: Int) async throws -> [Int] {
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "text", value: text), URLQueryItem(name: "limit", value: String(limit))]
        // URLComponents leaves `+` alone in a query; the worker would read it as a space.
        let query = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        do {
            let response = try await httpClient.execute(HTTPClientRequest(url: "\(baseURL)/api/v1/search?\(query)"), timeout: TimeAmount(timeout))
            guard response.status == .ok else { throw SemanticRankingUnavailable(reason: "the worker answered \(response.status.code)") }
            let body = try await response.body.collect(upTo: 1 << 20)
            return try JSONDecoder().decode([Match].self, from: body).map(\.productId)
        } catch let error as CancellationError {
            throw error
        } catch let error as SemanticRankingUnavailable {
            throw error
        } catch {
            throw SemanticRankingUnavailable(reason: String(describing: error))
        }
    }
}
