import Foundation
import Logging
import RedisClient

/// GET throughput of ``RedisClient`` with 50 concurrent callers, beside `redis-benchmark -c 50
/// -t get` against the same server and key in the same run.
///
/// Settings: ``BenchmarkSettings``.
struct RedisGetBenchmark {
    let settings: BenchmarkSettings
    var configuration: RedisClient.Configuration { settings.redis }
    var requests: Int { settings.requests }
    var concurrency: Int { settings.concurrency }

    /// redis-benchmark's GET test reads this literal key (no `-r`); its SET test writes `xxx`.
    static let key = "key:__rand_int__"

    func run() async throws {
        let client = RedisClient(configuration: configuration, logger: Logger(label: "benchmark"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            try await client.set(Self.key, to: "xxx")

            let tool = settings.redisBenchmark
            let raw = try await tool.opsPerSecond(test: "get", requests: requests, concurrency: concurrency)
            let pipelined = try await tool.opsPerSecond(test: "get", requests: requests, concurrency: concurrency, pipeline: 16)
            _ = try await measure(client, requests: requests / 10)  // warm-up
            let ours = try await measure(client, requests: requests)
            print("redis GET, \(concurrency) concurrent callers, \(requests) requests, \(configuration.minimumConnections) client connections")
            print(String(format: "  redis-benchmark -c %d -t get       : %10.0f ops/s  (the goal's reference)", concurrency, raw))
            print(String(format: "  redis-benchmark -c %d -P 16 -t get : %10.0f ops/s  (pipelined ceiling)", concurrency, pipelined))
            print(String(format: "  RedisClient.get                    : %10.0f ops/s  (%.2f × redis-benchmark; goal ≥ 0.70)", ours, ours / raw))
        }
    }

    /// GETs `requests` times from `concurrency` tasks; returns operations per second.
    private func measure(_ client: RedisClient, requests: Int) async throws -> Double {
        let perTask = requests / concurrency
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    for _ in 0..<perTask {
                        guard try await client.get(Self.key) != nil else {
                            throw BenchmarkError(message: "GET \(Self.key) returned nil")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        return Double(perTask * concurrency) / elapsed.seconds
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
