import Hummingbird
import Logging
import ServiceDefaults

/// Answers every error of the sidecar's routes with a Dapr error body. Server-side failures
/// (5xx) are logged once, here; anything that is not a ``DaprAPIError`` becomes a generic 500
/// `ERR_INTERNAL` whose cause stays in the log. The health endpoints keep their problem+json.
struct DaprErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DaprAPIError {
            if error.status.code >= 500 {
                context.logger.error("state request failed", metadata: ["error": .string(error.description), "path": .string(request.uri.path)])
            }
            return try error.response(from: request, context: context)
        } catch let problem as ProblemDetails {
            return problem.response(allocator: ByteBufferAllocator())  // the health endpoints, as every service's
        } catch let error as any HTTPResponseError where error.status.code < 500 {
            return try DaprAPIError(error.status, "ERR_MALFORMED_REQUEST", "\(error.status.reasonPhrase)").response(from: request, context: context)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": .string(String(reflecting: error)), "path": .string(request.uri.path)])
            return try DaprAPIError.internal.response(from: request, context: context)
        }
    }
}
