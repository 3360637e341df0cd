import HTTPTypes
import Hummingbird
import ServiceDefaults

/// `GET /api/v1/catalog/items/withsemanticrelevance?text=&pageIndex=&pageSize=`: items ranked by
/// meaning by the model worker, or, when the worker cannot rank (down, not ready, failing, slow),
/// items whose name or description contains the text. The `Search-Mode` header says which:
/// `semantic` or `name`.
struct CatalogSearchController: Sendable {
    /// The response header naming the search that answered.
    static let searchMode = HTTPField.Name("Search-Mode")!
    /// How many items one semantic search ranks: pages reach this far, and `count` is at most this.
    static let rankedItems = 1_000

    let repository: any CatalogRepository
    let ranking: any SemanticRanking

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get("items/withsemanticrelevance", use: search)
        return routes
    }

    /// 200 with one page (`count`: the items ranked, or the items matching by name/description);
    /// 400 for a bad `text`, `pageIndex` or `pageSize`.
    @Sendable func search(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<CatalogPageResponse> {
        let query = try CatalogSearchQuery(request.uri.queryParameters)
        let ranked: [Int]
        do {
            ranked = try await ranking.rank(query.text, limit: Self.rankedItems)
        } catch let error as SemanticRankingUnavailable {
            context.logger.notice("searching by name: \(error)")
            let page = try await repository.items(containing: query.text, pageIndex: query.pageIndex, pageSize: query.pageSize)
            return EditedResponse(
                headers: [Self.searchMode: "name"],
                response: CatalogPageResponse(pageIndex: query.pageIndex, pageSize: query.pageSize, count: page.count, items: page.items))
        }
        // The page's ids in the worker's order; an id Catalog no longer has (deleted, and the
        // worker has not applied the event yet) is left out.
        let start = min(ranked.count, query.pageIndex * query.pageSize)
        let ids = ranked[start..<min(ranked.count, start + query.pageSize)]
        let found = ids.isEmpty ? [] : try await repository.items(ids: Array(ids))
        let byId = Dictionary(found.map { ($0.id, $0) }) { first, _ in first }
        return EditedResponse(
            headers: [Self.searchMode: "semantic"],
            response: CatalogPageResponse(pageIndex: query.pageIndex, pageSize: query.pageSize, count: ranked.count, items: ids.compactMap { byId[$0] }))
    }
}
