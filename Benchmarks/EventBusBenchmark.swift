import EventBus
import Foundation
import Logging
import RedisClient
import StateClient
import StateStores
import Synchronization

/// Events per second from publish to handled over Redis Streams (10 000 events by default, 1 and 4
/// consumers of one group, each handler deduplicated through the Redis state store), beside raw
/// `XADD` throughput measured in the same run: `redis-benchmark` and our RedisClient, same
/// payload and concurrency.
///
/// Settings: ``BenchmarkSettings``, and `BENCH_EVENTS` (events per measurement, default 10 000).
struct EventBusBenchmark {
    let settings: BenchmarkSettings
    let events: Int

    func run() async throws {
        let logger = Logger(label: "benchmark")
        let client = RedisClient(configuration: settings.redis, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            let prefix = "bench:events:\(UUID().uuidString.prefix(8)):"
            let payload = try EventEnvelope(
                Self.sampleEvent(), source: "benchmark",
                traceContext: TraceContextHeaders(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            ).bytes
            let concurrency = settings.concurrency

            let rawTool = try await redisBenchmarkXADD(stream: prefix + "raw-tool", payload: payload, concurrency: concurrency)
            let rawClient = try await measureRawXADD(client, stream: prefix + "raw-client", payload: payload, concurrency: concurrency)
            let publishOnly = try await measurePublish(client, prefix: prefix, concurrency: concurrency, logger: logger)
            var results: [(consumers: Int, published: Double, handled: Double)] = []
            for consumers in [1, 4] {
                results.append(try await measureEndToEnd(client, prefix: "\(prefix)\(consumers):", consumers: consumers, logger: logger))
            }
            try await deleteKeys(client, matching: prefix + "*")

            print("event bus over Redis Streams, \(events) events of \(payload.count) bytes, \(concurrency) concurrent publishers")
            print(String(format: "  redis-benchmark XADD (raw)         : %10.0f ops/s", rawTool))
            print(String(format: "  RedisClient XADD (raw)             : %10.0f ops/s", rawClient))
            print(String(format: "  publish, no consumer running       : %10.0f events/s  (%.2f × raw XADD)", publishOnly, publishOnly / rawClient))
            for result in results {
                print(String(format: "  publish, %d consumer(s)             : %10.0f events/s", result.consumers, result.published))
                print(
                    String(
                        format: "  publish → handled, %d consumer(s)   : %10.0f events/s  (%.2f × raw XADD)", result.consumers,
                        result.handled, result.handled / rawClient))
            }
        }
    }

    static func sampleEvent() -> OrderStatusChangedToPaid {
        OrderStatusChangedToPaid(
            orderId: UUID(), orderStatus: .paid, description: "The payment was performed at a simulated bank.",
            orderStockItems: [OrderStockItem(productId: 1, units: 2), OrderStockItem(productId: 7, units: 1)], buyerId: "alice")
    }

    /// `redis-benchmark … XADD <stream> MAXLEN ~ 100000 * envelope <payload>`.
    private func redisBenchmarkXADD(stream: String, payload: [UInt8], concurrency: Int) async throws -> Double {
        let redis = settings.redis
        var arguments = ["-h", redis.host, "-p", String(redis.port), "-c", String(concurrency), "-n", String(events), "--csv"]
        if let password = redis.password { arguments += ["-a", password] }
        // A payload of the same size without quotes, which would need escaping in redis-benchmark's CSV output.
        arguments += ["XADD", stream, "MAXLEN", "~", "100000", "*", "envelope", String(repeating: "x", count: payload.count)]
        let output = try await runTool(settings.redisBenchmark.executable, arguments)
        guard let row = output.split(separator: "\n").last(where: { $0.hasPrefix("\"XADD") }),
            let rps = Double(row.split(separator: ",")[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        else { throw BenchmarkError(message: "could not read redis-benchmark's output: \(output)") }
        return rps
    }

    private func measureRawXADD(_ client: RedisClient, stream: String, payload: [UInt8], concurrency: Int) async throws -> Double {
        let command = RedisCommand("XADD", stream, "MAXLEN", "~", 100_000, "*", "envelope", payload)
        let perTask = max(1, events / concurrency)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask { for _ in 0..<perTask { _ = try await client.send(command) } }
            }
            try await group.waitForAll()
        }
        return Double(perTask * concurrency) / (ContinuousClock.now - start).seconds
    }

    /// `publish` alone (envelope encoding and `XADD`), nothing consuming meanwhile.
    private func measurePublish(_ client: RedisClient, prefix: String, concurrency: Int, logger: Logger) async throws -> Double {
        let state = StateClient(store: RedisStateStore(client: client, logger: logger), storeName: "statestore", appID: "bench")
        let bus = RedisStreamsEventBus(
            client: client, state: state, configuration: .init(appID: "bench", streamPrefix: prefix + "publish:"), logger: logger)
        let perTask = max(1, events / concurrency)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask { for _ in 0..<perTask { try await bus.publish(Self.sampleEvent()) } }
            }
            try await group.waitForAll()
        }
        return Double(perTask * concurrency) / (ContinuousClock.now - start).seconds
    }

    /// Publishes `events` from concurrent tasks and waits until `consumers` buses of one group handled them all.
    private func measureEndToEnd(
        _ client: RedisClient, prefix: String, consumers: Int, logger: Logger
    ) async throws -> (consumers: Int, published: Double, handled: Double) {
        let appID = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        let state = StateClient(store: RedisStateStore(client: client, logger: logger), storeName: "statestore", appID: appID)
        let handled = HandledCounter()
        let buses = (0..<consumers).map { index in
            let bus = RedisStreamsEventBus(
                client: client, state: state,
                configuration: .init(appID: appID, consumerName: "consumer-\(index)", streamPrefix: prefix, batchSize: 64, blockTimeout: .milliseconds(100)),
                logger: logger)
            bus.subscribe(OrderStatusChangedToPaid.self) { _ in handled.value.add(1, ordering: .relaxed) }
            return bus
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for bus in buses { group.addTask { try await bus.run() } }
            defer { group.cancelAll() }
            let concurrency = settings.concurrency
            let perTask = max(1, events / concurrency)
            let total = perTask * concurrency
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { publishers in
                for _ in 0..<concurrency {
                    publishers.addTask { for _ in 0..<perTask { try await buses[0].publish(Self.sampleEvent()) } }
                }
                try await publishers.waitForAll()
            }
            let published = ContinuousClock.now - start
            let deadline = ContinuousClock.now + .seconds(300)
            while handled.value.load(ordering: .relaxed) < total {
                guard ContinuousClock.now < deadline else { throw BenchmarkError(message: "only \(handled.value.load(ordering: .relaxed)) of \(total) events handled") }
                try await Task.sleep(for: .milliseconds(1))
            }
            let elapsed = ContinuousClock.now - start
            try await deleteKeys(client, matching: "\(appID)||*")
            return (consumers, Double(total) / published.seconds, Double(total) / elapsed.seconds)
        }
    }

    private func deleteKeys(_ client: RedisClient, matching pattern: String) async throws {
        var cursor = "0"
        repeat {
            let reply = try await client.send(RedisCommand("SCAN", cursor, "MATCH", pattern, "COUNT", 1_000))
            cursor = reply.array?.first?.string ?? "0"
            let keys = reply.array?.last?.array?.compactMap(\.string) ?? []
            if !keys.isEmpty { _ = try await client.send(RedisCommand("UNLINK", arguments: keys)) }
        } while cursor != "0"
    }
}

/// Handler runs, counted from every consumer.
final class HandledCounter: Sendable {
    let value = Atomic<Int>(0)
}
