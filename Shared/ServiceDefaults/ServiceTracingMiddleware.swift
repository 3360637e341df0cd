import Hummingbird
import Tracing

/// Hummingbird's `TracingMiddleware` (a server span per request, continuing the caller's W3C
/// `traceparent`, named by the route template: `/api/v1/basket/{buyerId}`), except for the
/// endpoints that probes and scrapers call every few seconds (`/health/…`, `/metrics`, and the
/// sidecar's Dapr health checks `/v1.0/healthz…`), which would each start a trace of their own.
///
/// With no tracer installed when the middleware is made (tracing off: ``TracingSettings`` installs
/// none), it passes every request straight on: a span of the no-op tracer would only cost its
/// attributes. So install the tracer first, as `main` does, then build the router.
public struct ServiceTracingMiddleware<Context: RequestContext>: RouterMiddleware {
    private let tracing = TracingMiddleware<Context>()
    private let isTracing: Bool

    public init() {
        isTracing = !(InstrumentationSystem.tracer is NoOpTracer)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard isTracing else { return try await next(request, context) }
        let path = request.uri.path
        if path.hasPrefix("/health/") || path.hasPrefix("/v1.0/healthz") || path == "/metrics" { return try await next(request, context) }
        return try await tracing.handle(request, context: context, next: next)
    }
}
