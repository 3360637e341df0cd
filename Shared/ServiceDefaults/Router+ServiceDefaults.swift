import Hummingbird

extension Router {
    /// A router with what every service shares: a span per request (``ServiceTracingMiddleware``,
    /// first, so every log line of the request names its trace), request metrics and
    /// `GET /metrics` (``addMetrics(registry:)``), request ids, problem+json for every error, the
    /// health endpoints checking `healthChecks`, and `HEAD` wherever `GET` is routed (the same
    /// status and headers, no body: RFC 9110 §9.3.2, Hummingbird's `autoGenerateHeadEndpoints`).
    public static func service(
        context: Context.Type = Context.self,
        healthChecks: [HealthCheck]
    ) -> Router<Context> {
        let router = Router(context: context, options: .autoGenerateHeadEndpoints)
        router.add(middleware: ServiceTracingMiddleware())
        router.addMetrics()
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.addRoutes(HealthController<Context>(checks: healthChecks).endpoints)
        return router
    }
}
