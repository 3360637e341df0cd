import Hummingbird
import ServiceDefaults
import StateClient

/// Maps the errors of Basket's dependencies to HTTP statuses: the state store being unavailable
/// (Redis down) and ``CatalogUnavailable`` → 503 with `Retry-After` (never a 500); Catalog
/// refusing the request (``CatalogRefusedRequest``, a 4xx) → 400, never a 503 to retry forever; a
/// basket that kept changing during a compare-and-set write → 409.
struct BasketErrorStatusMiddleware<Context: RequestContext>: RouterMiddleware {
    static var retryAfterSeconds: Int { 2 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as StateError where error.code == .unavailable {
            context.logger.warning("state store unavailable", metadata: ["error": "\(error)"])
            throw ProblemDetails(.serviceUnavailable, detail: "the basket store is unavailable; retry later", retryAfterSeconds: Self.retryAfterSeconds)
        } catch let error as StateError where error.code == .etagMismatch {
            throw ProblemDetails(.conflict, detail: "the basket kept changing while it was written; try again")
        } catch let error as CatalogRefusedRequest {
            throw ProblemDetails(.badRequest, detail: "\(error): check the product ids")
        } catch let error as CatalogUnavailable {
            context.logger.warning("catalog unavailable", metadata: ["error": "\(error)"])
            throw ProblemDetails(.serviceUnavailable, detail: "the catalog is unavailable, so items cannot be priced; retry later", retryAfterSeconds: Self.retryAfterSeconds)
        }
    }
}
