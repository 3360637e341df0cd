import Hummingbird
import ServiceDefaults

/// The anonymous reads under `/api/v1/catalog`.
struct CatalogController: Sendable {
    let repository: any CatalogRepository

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get("items", use: list)
        routes.get("items/by_ids", use: byIds)
        routes.get("items/:id", use: item)
        routes.get("items/:id/pic", use: picture)
        routes.get("brands") { _, _ in try await repository.brands() }
        routes.get("types") { _, _ in try await repository.types() }
        return routes
    }

    /// `?pageIndex=0&pageSize=10[&brandId=][&typeId=][&name=prefix]` → one page, by name then id.
    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> CatalogPageResponse {
        let query = try CatalogListQuery(request.uri.queryParameters)
        let page = try await repository.items(pageIndex: query.pageIndex, pageSize: query.pageSize, filter: query.filter)
        return CatalogPageResponse(pageIndex: query.pageIndex, pageSize: query.pageSize, count: page.count, items: page.items)
    }

    /// `?ids=1,2,3` → the items that exist, by id (a JSON array).
    @Sendable func byIds(_ request: Request, context: ServiceRequestContext) async throws -> [CatalogItem] {
        try await repository.items(ids: try CatalogIDList(request.uri.queryParameters.get("ids")).ids)
    }

    @Sendable func item(_ request: Request, context: ServiceRequestContext) async throws -> CatalogItem {
        let id = try CatalogItemID(context)
        guard let item = try await repository.item(id: id.value) else { throw id.notFound }
        return item
    }

    /// The item's picture, with a strong ETag: 304 when `If-None-Match` names it.
    @Sendable func picture(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let id = try CatalogItemID(context)
        guard let picture = try await repository.picture(itemId: id.value) else { throw id.notFound }
        var headers: HTTPFields = [.eTag: picture.etag, .cacheControl: "public, max-age=3600"]
        // The stored tag is quoted (`"<md5>"`); If-None-Match compares weakly (RFC 9110 §13.1.2).
        if EntityTagCondition(request.headers[.ifNoneMatch])?.ifNoneMatchNames(current: String(picture.etag.trimmingPrefix("\"").dropLast())) == true {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = picture.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: picture.content)))
    }
}
