import Hummingbird

extension Router {
    /// A router with what every service shares: request ids, problem+json for every error, and
    /// the health endpoints checking `healthChecks`.
    public static func service(
        context: Context.Type = Context.self,
        healthChecks: [HealthCheck]
    ) -> Router<Context> {
        let router = Router(context: context)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.addRoutes(HealthController<Context>(checks: healthChecks).endpoints)
        return router
    }
}
