import Metrics
import Prometheus

/// The process's metrics: swift-metrics' `MetricsSystem` backed by swift-prometheus, read by
/// `GET /metrics` (``MetricsController``).
///
/// ```swift
/// ServiceMetrics.bootstrap()                     // in main (ServiceMain.run does it for every executable)
/// let router = Router.service(healthChecks: …)   // MetricsMiddleware + GET /metrics
/// ```
///
/// Libraries record through swift-metrics only (`Counter`, `Timer`, `Gauge`, `Meter`), so they do
/// not depend on Prometheus; names are Prometheus' own (`snake_case`, the unit in the name,
/// `_total` on counters). Hummingbird's `MetricsMiddleware` names its metrics after
/// OpenTelemetry's (`http.server.request.duration`); ``prometheusName(_:)`` renames them.
/// Every metric is listed in docs/observability.md.
public enum ServiceMetrics {
    /// The registry every metric of the process is in.
    public static let registry = PrometheusCollectorRegistry()

    /// Makes swift-metrics record into ``registry``. Only the first call does anything, so tests
    /// may call it from any suite; metrics created before it stay no-ops (swift-metrics binds a
    /// metric to the factory when it is created).
    public static func bootstrap() {
        _ = bootstrapped
    }

    private static let bootstrapped: Void = MetricsSystem.bootstrap(factory)

    /// The factory: ``registry``, names through ``prometheusName(_:)``, and histogram buckets
    /// fitted to what each timer measures (``durationBuckets``).
    static var factory: PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) })
        }
        factory.defaultDurationHistogramBuckets = durationBuckets
        factory.durationHistogramBuckets = longDurationBuckets
        return factory
    }

    /// Seconds, 1 ms to 10 s: requests, commands, queries, state operations.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
    ]

    /// Timers of whole processes (an order's way to `paid`, a model download), 100 ms to 10 min.
    static let longDurationBuckets: [String: [Duration]] = {
        let long: [Duration] = [
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5),
            .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
        ]
        return Dictionary(uniqueKeysWithValues: longTimers.map { ($0, long) })
    }()

    /// The timers ``longDurationBuckets`` apply to.
    static let longTimers = [
        "ordering_checkout_to_paid_seconds", "model_download_duration_seconds", "model_load_duration_seconds",
    ]

    /// Hummingbird's metric names in Prometheus' form, and any other name or label with bytes
    /// Prometheus does not allow (anything but ASCII letters, digits and `_`: `.`, `-`) replaced
    /// by `_`, one per byte. Every metric a request records passes its name and label names through
    /// here, so a name that is already valid (nearly all) comes back as it is, uncopied.
    static func prometheusName(_ name: String) -> String {
        switch name {
        case "hb.requests": return "http_server_requests_total"
        case "hb.request.errors": return "http_server_request_errors_total"
        case "http.server.request.duration": return "http_server_request_duration_seconds"
        default:
            if name.utf8.allSatisfy(isAllowed) { return name }
            return String(decoding: name.utf8.map { isAllowed($0) ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
        }
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): true
        default: false
        }
    }
}
