import Configuration
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// Whether and where a service exports its traces, from OpenTelemetry's standard variables
/// (read through the service's `ConfigReader`, so `--otel-exporter-otlp-endpoint` and `.env`
/// work too; swift-otel parses the values, as the specification defines them).
///
/// | env | what | default |
/// |---|---|---|
/// | `OTEL_EXPORTER_OTLP_ENDPOINT` | the collector's OTLP/HTTP base URL (`/v1/traces` is appended) | none: tracing off |
/// | `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` | the full traces URL, instead of the above | none |
/// | `OTEL_TRACES_EXPORTER` | `otlp` (on, `http://localhost:4318` unless an endpoint is set) or `none` | `otlp` when an endpoint is set, else `none` |
/// | `OTEL_SDK_DISABLED` | `true`: off whatever else is set | `false` |
/// | `OTEL_SERVICE_NAME` | the `service.name` of every span | the app id (`basket-api`) |
/// | `OTEL_EXPORTER_OTLP_PROTOCOL`, `…_TRACES_PROTOCOL` | `http/protobuf` or `http/json` | `http/protobuf` |
/// | `OTEL_EXPORTER_OTLP_HEADERS`, `…_TIMEOUT`, `…_COMPRESSION` (and `…_TRACES_…`) | as specified | none, 10 s, none |
/// | `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG` | as specified | `parentbased_always_on` |
/// | `OTEL_BSP_SCHEDULE_DELAY`, `…_EXPORT_TIMEOUT`, `…_MAX_QUEUE_SIZE`, `…_MAX_EXPORT_BATCH_SIZE` | the batch span processor, in ms | 5000, 30000, 2048, 512 |
/// | `OTEL_RESOURCE_ATTRIBUTES` | `key=value,…` on every span | none |
/// | `OTEL_LOG_LEVEL` | swift-otel's own log level (`info` lists the settings it applied) | `warning` |
///
/// The one departure from the specification: with no endpoint and no `OTEL_TRACES_EXPORTER`,
/// tracing is off (the specification exports to `localhost:4318`), so a service started without a
/// collector exports nothing and logs nothing about it.
public struct TracingSettings: Sendable {
    /// The OpenTelemetry variables that were set, by their environment names.
    public var environment: [String: String]
    /// The `service.name` unless `OTEL_SERVICE_NAME` says otherwise.
    public var serviceName: String

    /// The variables swift-otel reads for traces (the metrics and logs signals are not used).
    static let variables = [
        "OTEL_SDK_DISABLED", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_LOG_LEVEL", "OTEL_PROPAGATORS",
        "OTEL_TRACES_EXPORTER", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
        "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
    ] + ["ENDPOINT", "PROTOCOL", "HEADERS", "TIMEOUT", "COMPRESSION", "CERTIFICATE", "CLIENT_KEY", "CLIENT_CERTIFICATE", "INSECURE"]
        .flatMap { ["OTEL_EXPORTER_OTLP_\($0)", "OTEL_EXPORTER_OTLP_TRACES_\($0)"] }

    /// Reads the variables above.
    public init(reader: ConfigReader, serviceName: String) {
        var environment: [String: String] = [:]
        for name in Self.variables {
            let key = name.lowercased().replacingOccurrences(of: "_", with: ".")
            if let value = reader.string(forKey: ConfigKey(key)), !value.isEmpty { environment[name] = value }
        }
        self.environment = environment
        self.serviceName = serviceName
    }

    /// `true` when spans are exported: `OTEL_TRACES_EXPORTER=otlp`, or an endpoint set and no
    /// exporter named; never with `OTEL_SDK_DISABLED=true`.
    public var isEnabled: Bool {
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return false }
        if let exporter = environment["OTEL_TRACES_EXPORTER"] { return exporter.lowercased() != "none" }
        return environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil
    }
}

extension TracingSettings {
    /// Installs swift-otel's tracer (W3C propagation, batch export over OTLP/HTTP) as the
    /// process's tracer (`InstrumentationSystem`) when tracing is on, and returns the service that
    /// exports its spans: run it with the application (`runService(tracing:)`). `nil`, and nothing
    /// installed, when tracing is off. Call it once, from `main` only, before `buildApplication`
    /// (AsyncHTTPClient's clients take the tracer they find when they are made).
    ///
    /// ```swift
    /// LoggingSystem.bootstrap(format: settings.logFormat, level: settings.logLevel)
    /// let tracing = try TracingSettings(reader: reader, serviceName: settings.appID).bootstrap()
    /// try await buildApplication(reader: reader).runService(tracing: tracing)
    /// ```
    public func bootstrap(logger: Logger = Logger(label: "otel")) throws -> (any Service)? {
        guard isEnabled else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        do {
            // Without `OTEL_SDK_DISABLED`, which `isEnabled` has judged: swift-otel reads it for
            // every signal, so `false` would turn logs and metrics back on, and its second
            // `LoggingSystem.bootstrap` (after `main`'s) stops the process.
            return try OTel.bootstrap(configuration: configuration, environment: environment.filter { $0.key != "OTEL_SDK_DISABLED" })
        } catch {
            throw ConfigurationError(variable: "OTEL_*", problem: "cannot set up tracing: \(error)")
        }
    }
}
