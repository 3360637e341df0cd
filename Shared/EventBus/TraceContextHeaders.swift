import Tracing

/// The W3C Trace Context (`traceparent`, `tracestate`) of a span, as an event envelope carries it
/// (the CloudEvents distributed-tracing extension).
///
/// The values are written and read by the process's instrument (swift-distributed-tracing's
/// `InstrumentationSystem`; swift-otel's W3C propagator in the services), never by hand. With no
/// tracer bootstrapped both stay `nil`, and reading them gives an empty context.
///
/// ```swift
/// let headers = TraceContextHeaders.current                      // the span running now
/// try await withSpan("later", context: headers.serviceContext()) { _ in … }   // continues it
/// ```
public struct TraceContextHeaders: Sendable, Hashable, Codable {
    /// `00-<trace id>-<parent id>-<flags>` (W3C Trace Context §3.2).
    public var traceparent: String?
    /// Vendor-specific trace data (W3C Trace Context §3.3).
    public var tracestate: String?

    public init(traceparent: String? = nil, tracestate: String? = nil) {
        self.traceparent = traceparent
        self.tracestate = tracestate
    }

    /// The context of the task's current span, injected by the bootstrapped instrument; empty
    /// when no span is active or tracing is off.
    public static var current: TraceContextHeaders {
        var headers = TraceContextHeaders()
        guard let context = ServiceContext.current else { return headers }
        InstrumentationSystem.instrument.inject(context, into: &headers, using: Propagation())
        return headers
    }

    /// `base` with the context these headers carry (the instrument's extract): the parent to give
    /// a span that continues the trace. `base` unchanged when the headers are empty or invalid.
    public func serviceContext(base: ServiceContext = .topLevel) -> ServiceContext {
        var context = base
        guard traceparent != nil else { return context }
        InstrumentationSystem.instrument.extract(self, into: &context, using: Propagation())
        return context
    }

    /// Moves the two W3C fields between the instrument and the struct; other keys are ignored.
    struct Propagation: Injector, Extractor {
        func inject(_ value: String, forKey key: String, into carrier: inout TraceContextHeaders) {
            switch key.lowercased() {
            case "traceparent": carrier.traceparent = value
            case "tracestate": carrier.tracestate = value
            default: break
            }
        }

        func extract(key: String, from carrier: TraceContextHeaders) -> String? {
            switch key.lowercased() {
            case "traceparent": carrier.traceparent
            case "tracestate": carrier.tracestate
            default: nil
            }
        }
    }
}
