import Logging
import OTel
import StateClient
import Synchronization
import Testing
import Tracing

/// The clients' leaf spans (the state operation, and below it the Redis command or SQL statement)
/// are made under a span being recorded, and not at all in a trace the sampler dropped or outside
/// any trace. The tracer is swift-otel's, as the services run it (exporting nothing), with the
/// sampler deciding; ``CountingTracer`` lists the spans started through it. (swift-otel applies the
/// process's `OTEL_*` variables over this configuration; `scripts/test` sets none.)
@Suite(.timeLimit(.minutes(1))) struct LeafSpanTests {
    @Test(arguments: [StoreKind.redis, .postgres])
    func aRecordedTraceGetsTheStateSpanAndTheStoreCommandBelowIt(_ kind: StoreKind) async throws {
        let started = try await spansStarted(kind, sampler: .parentBasedAlwaysOn)
        #expect(started.first == "request")
        #expect(started.contains("state get"))
        let storeCommand = kind == .redis ? ["EVALSHA", "HMGET", "GET"] : ["SELECT"]
        #expect(started.contains { storeCommand.contains($0) }, "no store command among \(started)")
    }

    @Test(arguments: [StoreKind.redis, .postgres])
    func aDroppedTraceMakesOnlyItsRootSpan(_ kind: StoreKind) async throws {
        #expect(try await spansStarted(kind, sampler: .parentBasedAlwaysOff) == ["request"])
    }

    @Test func noSpanAroundMakesNoSpan() async throws {
        let tracer = CountingTracer(base: try Self.swiftOTelTracer(sampler: .parentBasedAlwaysOn))
        try await withStateClient(.redis) { state in
            try await withTracer(tracer) {
                _ = try await state.get("leaf-span")
            }
        }
        #expect(tracer.started.isEmpty)
    }

    /// The spans started while `state.get` runs inside a span `request` that `sampler` decides on.
    private func spansStarted(_ kind: StoreKind, sampler: OTel.Configuration.TracesConfiguration.SamplerConfiguration) async throws -> [String] {
        let tracer = CountingTracer(base: try Self.swiftOTelTracer(sampler: sampler))
        try await withStateClient(kind) { state in
            try await withTracer(tracer) {
                try await withSpan("request", ofKind: .server) { _ in
                    _ = try await state.get("leaf-span")
                }
            }
        }
        return tracer.started
    }

    private static func swiftOTelTracer(sampler: OTel.Configuration.TracesConfiguration.SamplerConfiguration) throws -> some Tracer {
        var configuration = OTel.Configuration.default
        configuration.traces.exporter = .none
        configuration.traces.sampler = sampler
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.diagnosticLogger = .custom(Logger(label: "otel") { _ in SwiftLogNoOpLogHandler() })
        return try OTel.makeTracingBackend(configuration: configuration).factory
    }
}

/// `base`, listing the name of every span started through it.
final class CountingTracer<Base: Tracer>: Tracer {
    typealias Span = Base.Span
    let base: Base
    private let names = Mutex<[String]>([])

    init(base: Base) { self.base = base }

    var started: [String] { names.withLock { $0 } }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind, at instant: @autoclosure () -> Instant,
        function: String, file fileID: String, line: UInt
    ) -> Base.Span {
        names.withLock { $0.append(operationName) }
        return base.startSpan(operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
    }

    func activeSpan(identifiedBy context: ServiceContext) -> Base.Span? { base.activeSpan(identifiedBy: context) }

    /// Nothing to flush: these tests export nothing.
    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        base.inject(context, into: &carrier, using: injector)
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        base.extract(carrier, into: &context, using: extractor)
    }
}
