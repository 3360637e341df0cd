import Hummingbird
import ServiceDefaults

/// Maps Catalog's failures to HTTP statuses: Catalog unavailable (``CatalogUnavailable``: down,
/// timed out, a 5xx) → 503 with `Retry-After`, never a 500; Catalog refusing the request
/// (``CatalogRefusedRequest``, a 4xx) → 400, never a 503 to retry forever. The state store's own
/// failures are ServiceDefaults' ``StateStoreErrorMiddleware``.
struct CatalogErrorStatusMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as CatalogRefusedRequest {
            throw ProblemDetails(.badRequest, detail: "\(error): check the product ids")
        } catch let error as CatalogUnavailable {
            context.logger.warning("catalog unavailable", metadata: ["error": "\(error)"])
            throw ProblemDetails(
                .serviceUnavailable, detail: "the catalog is unavailable, so items cannot be priced; retry later",
                retryAfterSeconds: StateStoreErrorMiddleware<Context>.retryAfterSeconds)
        }
    }
}
