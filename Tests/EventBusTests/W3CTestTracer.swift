import EventBus
import Logging
import OTel
import Tracing

/// swift-otel's tracer with its W3C propagator, as the services run it, exporting nothing.
/// Tests scope it to themselves with `withTracer(_:_:)`, so no process-wide bootstrap is needed.
enum W3CTestTracer {
    static func make() throws -> any Tracer {
        var configuration = OTel.Configuration.default
        configuration.traces.exporter = .none
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.diagnosticLogger = .custom(Logger(label: "otel") { _ in SwiftLogNoOpLogHandler() })
        return try OTel.makeTracingBackend(configuration: configuration).factory
    }
}

extension TraceContextHeaders {
    /// The trace id field of `traceparent` (`00-<trace id>-<parent id>-<flags>`).
    var traceID: Substring? { traceparent?.split(separator: "-").dropFirst().first }
    /// The parent (span) id field of `traceparent`.
    var spanID: Substring? { traceparent?.split(separator: "-").dropFirst(2).first }
}
