import AsyncHTTPClient
import Configuration
import Foundation
import Logging
import RedisClient
import ServiceDefaults
import StateClient
import StateStores

/// The latency the state sidecar adds: GETs at a fixed rate (open loop, default 1,000 req/s for
/// 10 s) of a missing key and of a 1 KiB value, once through the sidecar (``HTTPStateStore`` →
/// `StateSidecar` process → Redis) and once directly (``RedisStateStore`` over ``RedisClient``,
/// the same read the sidecar performs), in the same run against the same Redis. Prints p50/p90/p99
/// of each and the difference. Goal: added p90 ≤ 0.3 ms (Dapr reports +0.71 ms for its sidecar).
///
/// | key (env) | default |
/// |---|---|
/// | `bench.rate` (`BENCH_RATE`) | 1000 requests per second |
/// | `bench.seconds` (`BENCH_SECONDS`) | 10 seconds per measurement |
/// | and ``BenchmarkSettings``' Redis keys | |
struct SidecarLatencyBenchmark {
    let settings: BenchmarkSettings
    let rate: Int
    let seconds: Int

    init(settings: BenchmarkSettings, reader: ConfigReader) throws {
        self.settings = settings
        rate = max(1, try reader.count(forKey: "bench.rate", default: 1_000))
        seconds = max(1, try reader.count(forKey: "bench.seconds", default: 10))
    }

    func run() async throws {
        let logger = Logger(label: "benchmark")
        let appID = "sidecar-benchmark"
        let redis = RedisClient(configuration: settings.redis, logger: logger)
        let direct = StateClient(store: RedisStateStore(client: redis, logger: logger), storeName: "statestore", appID: appID)
        let sidecar = try await BenchmarkSidecar(appID: appID, redis: settings.redis)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await redis.run() }
                defer { group.cancelAll() }
                let viaSidecar = try await HTTPStateStore.discover(.init(baseURL: sidecar.baseURL, storeName: "statestore")).client(appID: appID)
                try await direct.save("one-kib", bytes: Array(("\"" + String(repeating: "x", count: 1_022) + "\"").utf8))
                try await report(direct: direct, sidecar: viaSidecar, healthz: sidecar.baseURL + "/v1.0/healthz")
            }
        } catch {
            await sidecar.stop()
            throw error
        }
        await sidecar.stop()
    }

    private func report(direct: StateClient, sidecar: StateClient, healthz: String) async throws {
        print("state sidecar latency: GET at \(rate) req/s for \(seconds) s per line (open loop), Redis \(settings.redis.host):\(settings.redis.port)")
        print("                                 p50 ms    p90 ms    p99 ms")
        // The floor of any sidecar: one HTTP round trip over loopback to a route that does nothing.
        let roundTrip = try await measure {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: healthz), timeout: .seconds(5))
            _ = try await response.body.collect(upTo: 1_024)
        }
        print(Percentiles(roundTrip).line("HTTP round trip (healthz)"))
        var worstAddedP90 = 0.0
        for (name, key) in [("missing key", "missing"), ("1 KiB value", "one-kib")] {
            let directLatencies = try await measure { _ = try await direct.get(key) }
            let sidecarLatencies = try await measure { _ = try await sidecar.get(key) }
            let added = Percentiles(sidecarLatencies) - Percentiles(directLatencies)
            print(Percentiles(directLatencies).line("GET \(name), direct"))
            print(Percentiles(sidecarLatencies).line("GET \(name), sidecar"))
            print(added.line("  added by the sidecar"))
            worstAddedP90 = max(worstAddedP90, added.p90)
        }
        print(String(format: "goal: added p90 ≤ 0.300 ms — %@ (worst %.3f ms; Dapr reports +0.71 ms)", worstAddedP90 <= 0.3 ? "met" : "missed", worstAddedP90))
    }

    /// Starts `operation` every 1/rate seconds for `seconds` (after a one-second warm-up at the same
    /// rate), each in its own task so a slow answer never delays the next start; the latency of each.
    private func measure(_ operation: @escaping @Sendable () async throws -> Void) async throws -> [Double] {
        _ = try await run(count: rate, operation)
        return try await run(count: rate * seconds, operation)
    }

    private func run(count: Int, _ operation: @escaping @Sendable () async throws -> Void) async throws -> [Double] {
        let interval = Duration.seconds(1) / rate
        let clock = ContinuousClock()
        let start = clock.now + .milliseconds(10)
        return try await withThrowingTaskGroup(of: Double.self) { group in
            for index in 0..<count {
                try await clock.sleep(until: start + interval * index)
                group.addTask {
                    let began = clock.now
                    try await operation()
                    return (clock.now - began).milliseconds
                }
            }
            var latencies: [Double] = []
            latencies.reserveCapacity(count)
            for try await latency in group { latencies.append(latency) }
            return latencies
        }
    }
}

/// p50/p90/p99 of latencies in milliseconds.
struct Percentiles {
    var p50: Double
    var p90: Double
    var p99: Double

    init(p50: Double, p90: Double, p99: Double) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
    }

    init(_ latencies: [Double]) {
        let sorted = latencies.sorted()
        func at(_ fraction: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))] }
        self.init(p50: at(0.50), p90: at(0.90), p99: at(0.99))
    }

    static func - (lhs: Percentiles, rhs: Percentiles) -> Percentiles {
        Percentiles(p50: lhs.p50 - rhs.p50, p90: lhs.p90 - rhs.p90, p99: lhs.p99 - rhs.p99)
    }

    func line(_ label: String) -> String {
        label.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%9.3f %9.3f %9.3f", p50, p90, p99)
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1_000 + Double(components.attoseconds) / 1e15 }
}

/// The release `StateSidecar` binary beside this one (``BenchmarkedService``), serving a Redis
/// `statestore` component from a folder of its own, until ``stop()``.
struct BenchmarkSidecar {
    private let service: BenchmarkedService
    private let folder: URL
    var baseURL: String { service.baseURL }

    init(appID: String, redis: RedisClient.Configuration) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sidecar-benchmark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: statestore
            spec:
              type: state.redis
              version: v1
              metadata:
                - name: redisHost
                  value: "\(redis.host):\(redis.port)"
                - name: redisPassword
                  value: "\(redis.password ?? "")"

            """.write(to: folder.appendingPathComponent("statestore.yaml"), atomically: true, encoding: .utf8)
        do {
            service = try await BenchmarkedService.start(
                "StateSidecar", port: Int.random(in: 20_000..<32_000),
                environment: ["HTTP_HOST": "127.0.0.1", "APP_ID": appID, "COMPONENTS_PATH": folder.path])
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    func stop() async {
        await service.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}
