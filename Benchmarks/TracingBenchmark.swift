import Configuration
import Foundation
import Hummingbird
import Logging
import RedisClient
import ServiceDefaults
import ServiceLifecycle
import Synchronization

/// What tracing costs: checkout → `paid` (`BENCH_ORDERS` orders one after the other, default 50,
/// p50 and p99), then the basket read (`GET /api/v1/basket`) with wrk twice: saturated
/// (`BENCH_CONNECTIONS`: req/s, and a p50 that is mostly queueing, so it moves with the req/s) and
/// on one connection (the p50 of a request on its own: the latency tracing adds), in three
/// settings that take turns for `BENCH_ROUNDS` rounds (default 3; a multiple of 3 runs each setting
/// first, second and third equally often), so a disturbance of the shared machine hits each: tracing off (no endpoint: no tracer installed); every span recorded and exported
/// (`parentbased_always_on`, the compose demo's setting); and one trace in `BENCH_SAMPLE_RATIO`
/// (default 0.01) recorded and exported (`parentbased_traceidratio`, the setting
/// docs/observability.md gives a service under load), the others made, propagated and dropped.
/// Spans go over OTLP/HTTP (protobuf) to a collector stand-in in this process (``OTLPSink``: it
/// takes each export as a collector's receiver does and drops it). The batch processor is sized
/// so the read's ~20 000 spans/s are exported (every second, queue 65 536; swift-otel's defaults,
/// every 5 s and 2 048, drop most of them). The checkouts run first, so the export of the read's
/// spans does not run into them. Identity, Catalog, Basket, Ordering and Payment run as release
/// binaries, started afresh for each phase. Goal: tracing on loses ≤ 10 % of the throughput and
/// adds ≤ 10 % to the p50s (checkout → paid, and the basket read on one connection).
struct TracingBenchmark {
    let settings: HTTPBenchmarkSettings
    let redis: RedisClient.Configuration
    let orders: Int
    /// The share of traces the sampled setting records, in (0, 1].
    let sampleRatio: Double

    /// `BENCH_SAMPLE_RATIO`: the share of traces the sampled setting records, default 0.01.
    static func sampleRatio(_ reader: ConfigReader) throws(ConfigurationError) -> Double {
        guard let text = reader.string(forKey: "bench.sample.ratio") else { return 0.01 }
        guard let ratio = Double(text), ratio > 0, ratio <= 1 else {
            throw ConfigurationError(variable: "BENCH_SAMPLE_RATIO", problem: "'\(text)' is not a share of traces in (0, 1]")
        }
        return ratio
    }

    enum Tracing: Equatable {
        case off, everySpan, sampled

        func label(ratio: Double) -> String {
            switch self {
            case .off: "off"
            case .everySpan: "every span"
            case .sampled: "1 in \(Int((1 / ratio).rounded()))"
            }
        }
    }

    struct Phase {
        var tracing: Tracing
        var basketRequestsPerSecond: Double
        var basketP50: Double
        /// The p50 on one connection.
        var basketP50Alone: Double
        var checkoutP50: Double
        var checkoutP99: Double
    }

    func run() async throws {
        guard settings.rounds * 3 * orders <= Self.stockedOrders else {
            throw BenchmarkError(message: "\(settings.rounds) rounds of 3 × \(orders) orders need more than the \(Self.stockedOrders) the seeded stock allows: lower BENCH_ROUNDS or BENCH_ORDERS")
        }
        let (phases, exports) = try await OTLPSink.with(port: settings.port + 10) { sink in
            var phases: [Phase] = []
            for round in 1...settings.rounds {
                // Each round starts one setting later, so each runs first, second and third alike:
                // the checkouts slow down as orders pile up in the stores, round after round.
                let order = [Tracing.off, .everySpan, .sampled], start = (round - 1) % order.count
                for tracing in order[start...] + order[..<start] {
                    let phase = try await measure(tracing, firstOrder: phases.count * orders, sink: sink)
                    phases.append(phase)
                    print(String(format: "  round %d, tracing %@: checkout → paid p50 %6.1f ms, p99 %6.1f ms; GET basket %7.0f req/s (p50 %5.2f ms), alone p50 %5.3f ms",
                        round, tracing.label(ratio: sampleRatio).padding(toLength: 10, withPad: " ", startingAt: 0), phase.checkoutP50, phase.checkoutP99,
                        phase.basketRequestsPerSecond, phase.basketP50, phase.basketP50Alone))
                }
            }
            return (phases, sink.received)
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        func medians(_ tracing: Tracing) -> (rps: Double, p50: Double, alone: Double, checkout: Double) {
            let selected = phases.filter { $0.tracing == tracing }
            return (
                median(selected.map(\.basketRequestsPerSecond)), median(selected.map(\.basketP50)), median(selected.map(\.basketP50Alone)),
                median(selected.map(\.checkoutP50))
            )
        }
        let off = medians(.off)
        print("tracing off, every span and 1 trace in \(Int((1 / sampleRatio).rounded())) taking turns (OTLP/HTTP export to a collector stand-in in this process), wrk -t\(settings.wrk.threads) -c\(settings.wrk.connections) -d\(settings.wrk.duration)s, \(orders) orders per phase, \(settings.rounds) rounds")
        print("  the stand-in received \(exports.requests) export requests, \(exports.bytes / 1024) KiB")
        print(String(format: "  medians, tracing off: checkout → paid p50 %.1f ms; GET basket %.0f req/s, p50 %.2f ms; alone p50 %.3f ms", off.checkout, off.rps, off.p50, off.alone))
        for tracing in [Tracing.everySpan, .sampled] {
            let on = medians(tracing)
            let throughput = on.rps / off.rps - 1, basketP50 = on.p50 / off.p50 - 1, alone = on.alone / off.alone - 1
            let checkoutP50 = on.checkout / off.checkout - 1
            func verdict(_ met: Bool) -> String { met ? "met" : "missed" }
            print(String(format: "  %@: checkout → paid p50 %+.1f %% (%@), GET basket req/s %+.1f %% (%@), alone p50 %+.1f %% (%@); saturated p50 %+.1f %%",
                tracing.label(ratio: sampleRatio), checkoutP50 * 100, verdict(checkoutP50 <= 0.10), throughput * 100, verdict(throughput >= -0.10),
                alone * 100, verdict(alone <= 0.10), basketP50 * 100))
        }
        print("  goal: ≥ -10 % req/s, ≤ +10 % on the p50s of checkout → paid and of the read alone")
    }

    /// The seeded items with the most stock (200, 300, 250 and 220 units), which the orders of a
    /// run buy in turn: 800 orders, 5 rounds of the three settings at the default 50 orders each.
    static let orderedProducts = [4, 19, 21, 29]
    static let stockedOrders = 800

    /// One phase: the five services started with `tracing`, the orders, then the basket read.
    private func measure(_ tracing: Tracing, firstOrder: Int, sink: OTLPSink) async throws -> Phase {
        var environment = settings.postgres.environment.merging(["REDIS_HOST": redis.host, "REDIS_PORT": String(redis.port)]) { $1 }
        if let password = redis.password { environment["REDIS_PASSWORD"] = password }
        if tracing != .off {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.endpoint
            environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000"
            environment["OTEL_BSP_MAX_QUEUE_SIZE"] = "65536"
            environment["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"] = "8192"
        }
        // Set either way, so an OTEL_* variable of this process (which the services inherit) cannot
        // turn tracing on in the off setting or off in the others.
        environment["OTEL_SDK_DISABLED"] = tracing == .off ? "true" : "false"
        switch tracing {
        case .off: break
        case .everySpan: environment["OTEL_TRACES_SAMPLER"] = "parentbased_always_on"
        case .sampled:
            environment["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio"
            environment["OTEL_TRACES_SAMPLER_ARG"] = String(sampleRatio)
        }
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("wrk-tracing-\(UUID().uuidString).lua")
        defer { try? FileManager.default.removeItem(at: script) }
        return try await OrderLatencyBenchmark.withOrderFlow(port: settings.port, environment: environment) { services in
            let token = try await BasketBenchmark.token(services.identity.baseURL)
            let checkouts = OrderLatencyBenchmark(settings: settings, redis: redis, orders: orders)
            var latencies: [Duration] = []
            for index in 0..<orders {
                latencies.append(
                    try await checkouts.checkoutToPaid(
                        basket: services.basket.baseURL, ordering: services.ordering.baseURL, token: token, productId: Self.orderedProducts[(firstOrder + index) % Self.orderedProducts.count]))
            }
            try await BasketBenchmark.fillBasket(services.basket.baseURL, token: token)
            try "wrk.headers[\"Authorization\"] = \"Bearer \(token)\"\n".write(to: script, atomically: true, encoding: .utf8)
            let read = try await settings.wrk.measure(services.basket.baseURL + "/api/v1/basket", luaScript: script.path)
            let alone = try await WrkTool(executable: settings.wrk.executable, threads: 1, connections: 1, duration: settings.wrk.duration)
                .measure(services.basket.baseURL + "/api/v1/basket", luaScript: script.path)
            return Phase(
                tracing: tracing, basketRequestsPerSecond: read.requestsPerSecond, basketP50: read.p50Milliseconds, basketP50Alone: alone.p50Milliseconds,
                checkoutP50: OrderLatencyBenchmark.percentile(latencies, 0.5),
                checkoutP99: OrderLatencyBenchmark.percentile(latencies, 0.99))
        }
    }
}

/// A stand-in for an OpenTelemetry Collector's OTLP/HTTP receiver: `POST /v1/traces` is read whole
/// and answered with an empty `ExportTraceServiceResponse` (full success), as a collector answers
/// before its pipeline runs; only the requests and bytes are counted.
final class OTLPSink: Sendable {
    let endpoint: String
    private let counts = Mutex<(requests: Int, bytes: Int)>((0, 0))

    private init(port: Int) { endpoint = "http://127.0.0.1:\(port)" }

    var received: (requests: Int, bytes: Int) { counts.withLock { $0 } }

    static func with<Result: Sendable>(port: Int, _ body: @Sendable (OTLPSink) async throws -> Result) async throws -> Result {
        let sink = OTLPSink(port: port)
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 64 << 20).readableBytes
            sink.counts.withLock { $0.requests += 1; $0.bytes += bytes }
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"])
        }
        var logger = Logger(label: "otlp-sink")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        let server = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            do {
                let result = try await body(sink)
                await server.triggerGracefulShutdown()
                return result
            } catch {
                await server.triggerGracefulShutdown()
                throw error
            }
        }
    }
}
