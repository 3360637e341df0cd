import Hummingbird
import ServiceDefaults

/// The writes under `/api/v1/catalog`, for the `admin` role (the router puts them behind
/// ``BearerAuthMiddleware``).
struct CatalogAdminController: Sendable {
    let repository: any CatalogRepository

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.post("items", use: create)
        routes.put("items/:id", use: update)
        routes.delete("items/:id", use: delete)
        return routes
    }

    /// 201 with `Location: /api/v1/catalog/items/{id}` and the item.
    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<CatalogItem> {
        let fields = try await CatalogItemInput.read(request, context: context)
        let item = try await mappingReferenceError { try await repository.create(fields) }
        return EditedResponse(status: .created, headers: [.location: "/api/v1/catalog/items/\(item.id)"], response: item)
    }

    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> CatalogItem {
        let id = try CatalogItemID(context)
        let fields = try await CatalogItemInput.read(request, context: context)
        guard let item = try await mappingReferenceError({ try await repository.update(id: id.value, fields) }) else { throw id.notFound }
        return item
    }

    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let id = try CatalogItemID(context)
        guard try await repository.delete(id: id.value) else { throw id.notFound }
        return Response(status: .noContent)
    }

    private func mappingReferenceError<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as CatalogReferenceError {
            throw ProblemDetails(.badRequest, detail: "one or more fields are invalid", errors: [error.field: ["does not exist"]])
        }
    }
}
