import Foundation
import GRDB
import Logging
import StateFolder

/// Keyed state updates per second, durable (WAL, `synchronous=FULL`) and batched (one SQLite
/// transaction per checkpoint), beside the raw limit: GRDB upserting the same rows with one
/// prepared statement and no JSON, in the same run. An update is a read plus a write of an
/// integer counter, as the model worker's bought-together counts do. Goal ≥ 100,000 updates/s.
///
/// `Benchmarks keyed-state [BENCH_UPDATES=1000000] [BENCH_CHECKPOINT=10000]`
struct KeyedStateBenchmark {
    let updates: Int
    let checkpoint: Int

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyed-state-bench-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let logger = Logger(label: "benchmark")
        let state = try StateFolder.open(path: folder.path, consumerGroup: "bench", logger: logger)
        let store = try await KeyedStateStore.open(state, store: "counts", stream: "orders", logger: logger)
        var entry = 0
        let ours = try await measure { batch in
            entry += 1
            let id = StreamEntryID("\(entry)-0")!
            try await store.checkpoint(through: id) { transaction in
                for index in batch {
                    let counts = transaction.state(forKey: String(index % 1_000))
                    let key = "with:\(index % 97)"
                    try counts.set(key, try counts.get(key, default: 0) + 1)
                }
            }
        }
        try store.close()

        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let raw = try DatabasePool(path: folder.appendingPathComponent("raw.sqlite").path, configuration: configuration)
        try await raw.write { db in
            try db.execute(sql: "CREATE TABLE state (prefix TEXT NOT NULL, key TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (prefix, key)) WITHOUT ROWID")
        }
        let limit = try await measure { batch in
            try await raw.write { db in
                let upsert = try db.makeStatement(
                    sql: "INSERT INTO state (prefix, key, value) VALUES (?, ?, 1) ON CONFLICT(prefix, key) DO UPDATE SET value = value + 1")
                for index in batch { try upsert.execute(arguments: [String(index % 1_000), "with:\(index % 97)"]) }
            }
        }
        print("keyed state (SQLite through GRDB, WAL, synchronous=FULL), \(updates) updates, \(checkpoint) per checkpoint")
        print(String(format: "  raw GRDB upsert (no JSON, no read)      : %10.0f updates/s", limit))
        print(String(format: "  State get + set per update (checkpoint) : %10.0f updates/s  (%.2f × raw; goal ≥ 100000/s)", ours, ours / limit))
    }

    /// Runs `body` over the update indexes in checkpoint-sized batches; updates per second.
    private func measure(_ body: (Range<Int>) async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        for first in stride(from: 0, to: updates, by: checkpoint) { try await body(first..<min(updates, first + checkpoint)) }
        return Double(updates) / (ContinuousClock.now - start).seconds
    }
}
