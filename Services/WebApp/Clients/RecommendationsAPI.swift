/// The model worker's `GET /api/v1/recommendations/{productId}` (docs/model-worker.md): the
/// products most often bought together with one product. Optional: any failure (the worker down,
/// not ready, or no paid order holding the product yet) answers no recommendation, and the item
/// page hides the section.
struct RecommendationsAPI: Sendable {
    let client: APIClient

    func boughtTogether(with productId: Int, limit: Int) async -> [Int] {
        struct Answer: Decodable {
            struct Entry: Decodable { var productId: Int }
            var boughtTogether: [Entry]
        }
        do {
            return try await client.get("/api/v1/recommendations/\(productId)?limit=\(limit)", as: Answer.self)?
                .boughtTogether.map(\.productId) ?? []
        } catch {
            return []
        }
    }
}
