import Foundation
import Logging
import RedisClient
import StateClient
import StateStores

/// StateClient get and save ops/s over Redis with 50 concurrent callers, beside the raw
/// RedisClient and `redis-benchmark` against the same server in the same run.
///
/// Settings: ``BenchmarkSettings``.
struct StateBenchmark {
    let settings: BenchmarkSettings
    var configuration: RedisClient.Configuration { settings.redis }
    var requests: Int { settings.requests }
    var concurrency: Int { settings.concurrency }

    func run() async throws {
        let logger = Logger(label: "benchmark")
        let client = RedisClient(configuration: configuration, logger: logger)
        let state = StateClient(
            store: ResilientStateStore(RedisStateStore(client: client, logger: logger), logger: logger),
            storeName: "statestore", appID: "benchmark")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            let value = Array(#"{"items":[{"productId":1,"quantity":2}]}"#.utf8)
            try await client.set(RedisGetBenchmark.key, to: "xxx")
            try await state.save("bench", bytes: value)

            let tool = settings.redisBenchmark
            let rawGet = try await tool.opsPerSecond(test: "get", requests: requests, concurrency: concurrency)
            let rawSet = try await tool.opsPerSecond(test: "set", requests: requests, concurrency: concurrency)
            let clientGet = try await measure { _ = try await client.get(RedisGetBenchmark.key) }
            let stateGet = try await measure { _ = try await state.get("bench") }
            let stateSave = try await measure { try await state.save("bench", bytes: value) }
            let stateSaveManyKeys = try await measure { index in
                try await state.save("bench-\(index % concurrency)", bytes: value)
            }
            print("state over Redis, \(concurrency) concurrent callers, \(requests) requests per measurement")
            print(String(format: "  redis-benchmark -c %d -t get : %10.0f ops/s", concurrency, rawGet))
            print(String(format: "  redis-benchmark -c %d -t set : %10.0f ops/s", concurrency, rawSet))
            print(String(format: "  RedisClient.get              : %10.0f ops/s", clientGet))
            print(String(format: "  StateClient.get              : %10.0f ops/s  (%.2f × redis-benchmark GET; goal ≥ 0.70)", stateGet, stateGet / rawGet))
            print(String(format: "  StateClient.save (one key)   : %10.0f ops/s  (%.2f × redis-benchmark SET)", stateSave, stateSave / rawSet))
            print(String(format: "  StateClient.save (%d keys)   : %10.0f ops/s  (%.2f × redis-benchmark SET)", concurrency, stateSaveManyKeys, stateSaveManyKeys / rawSet))
        }
    }

    /// Runs `operation` `requests` times from `concurrency` tasks (after a warm-up); ops per second.
    private func measure(_ operation: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
        let perTask = requests / concurrency
        for round in 0..<min(1_000, perTask) { try await operation(round) }
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<concurrency {
                group.addTask { for round in 0..<perTask { try await operation(task * perTask + round) } }
            }
            try await group.waitForAll()
        }
        return Double(perTask * concurrency) / (ContinuousClock.now - start).seconds
    }

    private func measure(_ operation: @escaping @Sendable () async throws -> Void) async throws -> Double {
        try await measure { (_: Int) in try await operation() }
    }
}
