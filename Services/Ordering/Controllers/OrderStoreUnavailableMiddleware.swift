import Hummingbird
import ServiceDefaults
import StateClient

/// Turns "the order store is down" into 503 with `Retry-After` (never a 500), and a leftover ETag
/// conflict (the order kept changing) into 409.
struct OrderStoreUnavailableMiddleware<Context: RequestContext>: RouterMiddleware {
    static var retryAfterSeconds: Int { 2 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as StateError where error.code == .unavailable {
            context.logger.warning("order store unavailable", metadata: ["error": "\(error)"])
            throw ProblemDetails(.serviceUnavailable, detail: "the order store is unavailable; retry later", retryAfterSeconds: Self.retryAfterSeconds)
        } catch let error as StateError where error.code == .etagMismatch {
            throw ProblemDetails(.conflict, detail: "the order changed while it was written; try again")
        }
    }
}
