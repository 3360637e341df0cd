import Hummingbird
import ServiceLifecycle

extension ApplicationProtocol {
    /// Runs the application as `runService()` does (stopping gracefully on SIGTERM and SIGINT),
    /// with `tracing`, the exporter ``TracingSettings/bootstrap(logger:)`` returned,
    /// beside it: started first and stopped last, so the spans of the last requests are exported.
    public func runService(tracing: (any Service)?) async throws {
        guard let tracing else { return try await runService() }
        let group = ServiceGroup(
            configuration: .init(services: [tracing, self], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
