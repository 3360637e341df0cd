import Logging
import OTel

/// How log lines are written to standard error.
public enum LogFormat: String, Sendable {
    /// `2026-11-22T17:00:00.123Z info basket-api: request.id=… message` (``ServiceLogHandler``).
    case text
    /// One JSON object per line: `{"time":…,"level":…,"label":…,"message":…,…metadata}`.
    case json
}

extension LoggingSystem {
    /// Installs the process-wide log handler. Call it once, from `main` only, never from
    /// `buildApplication`, so tests can build applications many times.
    ///
    /// A line written while a span is active carries `trace_id`, `span_id` and `trace_flags`
    /// (swift-otel's metadata provider, as OpenTelemetry's log data model names them), so a log
    /// line leads to its trace and back; nothing when tracing is off.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        bootstrap(
            { label, metadataProvider in
                var handler = ServiceLogHandler(label: label, format: format)
                handler.logLevel = level
                handler.metadataProvider = metadataProvider
                return handler
            }, metadataProvider: OTel.makeLoggingMetadataProvider())
    }
}
