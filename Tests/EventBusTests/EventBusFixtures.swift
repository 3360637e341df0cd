import EventBus
import Foundation
import Logging
import ServiceLifecycle
import RedisClient
import StateClient
import StateStores
import Synchronization
import TestSupport

/// How often each event id reached a handler, and with which context.
final class HandledLog: Sendable {
    private let state = Mutex<(counts: [UUID: Int], contexts: [EventContext], consumers: [String: Int])>(([:], [], [:]))

    func record(_ id: UUID, _ context: EventContext, consumer: String = "") {
        state.withLock { state in
            state.counts[id, default: 0] += 1
            state.contexts.append(context)
            state.consumers[consumer, default: 0] += 1
        }
    }

    func count(_ id: UUID) -> Int { state.withLock { $0.counts[id] ?? 0 } }
    var total: Int { state.withLock { $0.counts.values.reduce(0, +) } }
    var distinct: Int { state.withLock { $0.counts.count } }
    var counts: [UUID: Int] { state.withLock { $0.counts } }
    var contexts: [EventContext] { state.withLock { $0.contexts } }
    var consumers: [String: Int] { state.withLock { $0.consumers } }
}

/// An error a test handler throws.
struct HandlerFailure: Error, CustomStringConvertible {
    var description: String
}

/// A one-shot gate a handler waits on.
final class Gate: Sendable {
    private let opened = Mutex(false)

    func open() { opened.withLock { $0 = true } }

    var isOpen: Bool { opened.withLock { $0 } }

    func wait() async throws {
        while !opened.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
    }
}

/// What a polled condition is still missing (``TestRedis/eventually(within:_:)`` reports the last one).
struct NotYet: Error, CustomStringConvertible {
    var description: String
}

/// One test's isolated slice of the shared Redis: streams under a unique prefix, state under a
/// unique app id; ``cleanUp(_:)`` deletes what it created.
struct RedisEventsFixture {
    let prefix = "test:events:\(UUID().uuidString.prefix(8)):"
    let appID = "events-test-\(UUID().uuidString.prefix(8).lowercased())"
    let logger = Logger(label: "event-bus-tests")

    func state(_ redis: RedisClient) -> StateClient {
        StateClient(store: RedisStateStore(client: redis, logger: logger), storeName: "statestore", appID: appID)
    }

    func configuration(
        consumer: String? = nil, retry: RetryPolicy = RetryPolicy(maximumAttempts: 3, initialBackoff: .milliseconds(10)),
        reclaimIdle: Duration = .seconds(30), maximumStreamLength: Int? = 10_000
    ) -> RedisStreamsEventBus.Configuration {
        .init(
            appID: appID, consumerName: consumer, streamPrefix: prefix, blockTimeout: .milliseconds(200), reclaimIdleTimeout: reclaimIdle,
            retry: retry, maximumStreamLength: maximumStreamLength, deduplicationWindowInSeconds: 120, handlingLeaseInSeconds: 1)
    }

    func bus(_ redis: RedisClient, _ configuration: RedisStreamsEventBus.Configuration? = nil) -> RedisStreamsEventBus {
        RedisStreamsEventBus(client: redis, state: state(redis), configuration: configuration ?? self.configuration(), logger: logger)
    }

    /// Runs `services` (buses, relays) while `body` runs.
    func running<Result: Sendable>(_ services: [any Service], _ body: () async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { try await service.run() } }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Entries in a stream.
    func length(_ redis: RedisClient, _ stream: String) async throws -> Int {
        Int(try await redis.send(RedisCommand("XLEN", stream)).int ?? -1)
    }

    /// Messages of `stream` read but not acknowledged by the group.
    func pending(_ redis: RedisClient, _ stream: String) async throws -> Int {
        let reply = try await redis.send(RedisCommand("XPENDING", stream, appID))
        return Int(reply.array?.first?.int ?? -1)
    }

    /// Deletes this test's streams and state keys.
    func cleanUp(_ redis: RedisClient) async throws {
        for pattern in ["\(prefix)*", "\(appID)||*"] {
            var cursor = "0"
            repeat {
                let reply = try await redis.send(RedisCommand("SCAN", cursor, "MATCH", pattern, "COUNT", 1_000))
                cursor = reply.array?.first?.string ?? "0"
                for key in reply.array?.last?.array?.compactMap(\.string) ?? [] { _ = try await redis.delete(key) }
            } while cursor != "0"
        }
    }
}

/// The executables built beside the tests: EventBusProbe, EventsAdmin.
enum Probe {
    static var executable: String { path(of: "EventBusProbe") }

    static func path(of name: String) -> String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = testBinary.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent(name).path
    }

    static func environment(_ fixture: RedisEventsFixture) -> [String: String] {
        let redis = TestRedis.configuration
        return [
            "REDIS_HOST": redis.host, "REDIS_PORT": String(redis.port), "REDIS_PASSWORD": redis.password ?? "",
            "APP_ID": fixture.appID, "EVENTS_STREAM_PREFIX": fixture.prefix,
        ]
    }
}

