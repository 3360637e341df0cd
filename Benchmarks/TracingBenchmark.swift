import Foundation
import Hummingbird
import Logging
import RedisClient
import ServiceLifecycle
import Synchronization

/// What tracing costs: the basket read (`GET /api/v1/basket`, wrk: req/s and p50) and checkout →
/// `paid` (`BENCH_ORDERS` orders one after the other, default 50, p50 and p99), first with tracing
/// off (no endpoint: no tracer installed), then on, every span exported over OTLP/HTTP (protobuf)
/// to a collector stand-in in this process (``OTLPSink``: it takes each export as a collector's
/// receiver does and drops it). The batch processor is sized so the load's ~30 000 spans/s are all
/// exported (every second, queue 65 536; swift-otel's defaults, every 5 s and 2 048, drop most of
/// them). `OTEL_TRACES_SAMPLER` and the other `OTEL_*` variables of this process reach the services. Identity, Catalog, Basket, Ordering
/// and Payment run as release binaries, started afresh for each phase; the phases alternate for
/// `BENCH_ROUNDS` rounds, so a disturbance of the shared machine hits both. Goal: tracing on loses
/// ≤ 10 % of the throughput and adds ≤ 10 % to the p50s.
struct TracingBenchmark {
    let settings: HTTPBenchmarkSettings
    let redis: RedisClient.Configuration
    let orders: Int

    struct Phase {
        var tracing: Bool
        var basketRequestsPerSecond: Double
        var basketP50: Double
        var checkoutP50: Double
        var checkoutP99: Double
    }

    func run() async throws {
        let (phases, exports) = try await OTLPSink.with(port: settings.port + 10) { sink in
            var phases: [Phase] = []
            for round in 1...settings.rounds {
                for tracing in [false, true] {
                    let phase = try await measure(tracing: tracing, sink: sink)
                    phases.append(phase)
                    print(String(format: "  round %d, tracing %@: GET basket %7.0f req/s (p50 %5.2f ms); checkout → paid p50 %6.1f ms, p99 %6.1f ms",
                        round, tracing ? "on " : "off", phase.basketRequestsPerSecond, phase.basketP50, phase.checkoutP50, phase.checkoutP99))
                }
            }
            return (phases, sink.received)
        }
        let off = phases.filter { !$0.tracing }, on = phases.filter(\.tracing)
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let throughput = median(on.map(\.basketRequestsPerSecond)) / median(off.map(\.basketRequestsPerSecond)) - 1
        let basketP50 = median(on.map(\.basketP50)) / median(off.map(\.basketP50)) - 1
        let checkoutP50 = median(on.map(\.checkoutP50)) / median(off.map(\.checkoutP50)) - 1
        print("tracing off, then on (OTLP/HTTP export to a collector stand-in in this process), wrk -t\(settings.wrk.threads) -c\(settings.wrk.connections) -d\(settings.wrk.duration)s, \(orders) orders per phase, \(settings.rounds) rounds")
        print("  the stand-in received \(exports.requests) export requests, \(exports.bytes / 1024) KiB")
        print(String(format: "  median GET basket req/s: %+.1f %% with tracing (goal ≥ -10 %%: %@)", throughput * 100, throughput >= -0.10 ? "met" : "missed"))
        print(String(format: "  median GET basket p50  : %+.1f %% (goal ≤ +10 %%: %@)", basketP50 * 100, basketP50 <= 0.10 ? "met" : "missed"))
        print(String(format: "  median checkout → paid p50: %+.1f %% (goal ≤ +10 %%: %@)", checkoutP50 * 100, checkoutP50 <= 0.10 ? "met" : "missed"))
    }

    /// One phase: the five services started with tracing on or off, the basket read, then the orders.
    /// The orders buy products 1…4, whose seeded stock (550 units) lasts 3 rounds of 2 × 50 orders.
    private func measure(tracing: Bool, sink: OTLPSink) async throws -> Phase {
        var environment = settings.postgres.environment.merging(["REDIS_HOST": redis.host, "REDIS_PORT": String(redis.port)]) { $1 }
        if let password = redis.password { environment["REDIS_PASSWORD"] = password }
        if tracing {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.endpoint
            environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000"
            environment["OTEL_BSP_MAX_QUEUE_SIZE"] = "65536"
            environment["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"] = "8192"
        }
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("wrk-tracing-\(UUID().uuidString).lua")
        defer { try? FileManager.default.removeItem(at: script) }
        return try await OrderLatencyBenchmark.withOrderFlow(port: settings.port, environment: environment) { services in
            let token = try await BasketBenchmark.token(services.identity.baseURL)
            try await BasketBenchmark.fillBasket(services.basket.baseURL, token: token)
            try "wrk.headers[\"Authorization\"] = \"Bearer \(token)\"\n".write(to: script, atomically: true, encoding: .utf8)
            let read = try await settings.wrk.measure(services.basket.baseURL + "/api/v1/basket", luaScript: script.path)
            let checkouts = OrderLatencyBenchmark(settings: settings, redis: redis, orders: orders)
            var latencies: [Duration] = []
            for index in 0..<orders {
                latencies.append(
                    try await checkouts.checkoutToPaid(
                        basket: services.basket.baseURL, ordering: services.ordering.baseURL, token: token, productId: 1 + index % 4))
            }
            return Phase(
                tracing: tracing, basketRequestsPerSecond: read.requestsPerSecond, basketP50: read.p50Milliseconds,
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
