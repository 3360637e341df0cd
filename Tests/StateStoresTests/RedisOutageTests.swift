import Foundation
import Logging
import RedisClient
import StateClient
import StateStores
import Synchronization
import TestSupport
import Testing

/// A Redis outage under load, on a redis-server of the test's own.
@Suite(.redisServerInstalled, .timeLimit(.minutes(1))) struct RedisOutageTests {
    @Test func failsFastDuringAnOutageWritesNothingHalfAndRecoversAfterTheRestart() async throws {
        let server = try await OwnRedisServer(persistent: true)
        let logger = Logger(label: "outage-test")
        let redis = RedisClient(configuration: server.configuration, logger: logger)
        let store = ResilientStateStore(RedisStateStore(client: redis, logger: logger), logger: logger)
        let state = StateClient(store: store, storeName: "statestore", appID: "outage-\(UUID().uuidString.prefix(8))")
        let outcomes = OutageOutcomes()

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await redis.run() }
            group.addTask {
                var round = 0
                while outcomes.running {
                    let started = ContinuousClock.now
                    do {
                        // Two keys in one transaction: after the outage both exist or neither.
                        try await state.transaction([
                            .upsert(key: "a-\(round)", bytes: Array("\(round)".utf8)), .upsert(key: "b-\(round)", bytes: Array("\(round)".utf8)),
                        ])
                        outcomes.succeeded(round)
                    } catch {
                        outcomes.failed(error, after: ContinuousClock.now - started)
                        try? await Task.sleep(for: .milliseconds(10))  // a caller backing off, as services do
                    }
                    round += 1
                }
            }

            try await waitUntil("50 calls to succeed", within: .seconds(10)) { outcomes.succeeded.count >= 50 }
            try await server.stop()
            try await waitUntil("20 calls to fail during the outage", within: .seconds(10)) { outcomes.failures.count >= 20 }
            let stoppedFailures = outcomes.failures
            #expect(stoppedFailures.allSatisfy { $0.code == .unavailable }, "\(stoppedFailures.map(\.code))")
            #expect(stoppedFailures.allSatisfy { $0.duration < .seconds(1) }, "calls must fail fast")

            try await server.start()
            let restarted = ContinuousClock.now
            let successesBefore = outcomes.succeeded.count
            try await waitUntil("a call to succeed after the restart", within: .seconds(5)) { outcomes.succeeded.count > successesBefore }
            #expect(ContinuousClock.now - restarted < .seconds(2), "calls succeed again within 2 s of the restart")
            outcomes.stop()
            group.cancelAll()
        }

        try await TestRedis.withClient(server.configuration) { redis in
            let store = RedisStateStore(client: redis, logger: logger)
            let check = StateClient(store: store, storeName: "statestore", appID: state.appID)
            let lastRound = (outcomes.succeeded.max() ?? 0) + outcomes.failures.count + 1
            for round in 0...lastRound {
                let pair = try await check.bulkGet(["a-\(round)", "b-\(round)"])
                #expect(pair.count != 1, "round \(round) is half-written")
            }
            for round in outcomes.succeeded {
                #expect(try await check.get("a-\(round)") != nil, "round \(round) succeeded but was lost")
            }
        }
        try await server.remove()
    }
}

/// What the save loop saw.
final class OutageOutcomes: Sendable {
    struct Failure: Sendable {
        var code: StateError.Code?
        var duration: Duration
    }

    private let storage = Mutex((succeeded: [Int](), failures: [Failure](), running: true))
    func succeeded(_ round: Int) { storage.withLock { $0.succeeded.append(round) } }
    func failed(_ error: any Error, after duration: Duration) {
        storage.withLock { $0.failures.append(Failure(code: (error as? StateError)?.code, duration: duration)) }
    }
    var succeeded: [Int] { storage.withLock { $0.succeeded } }
    var failures: [Failure] { storage.withLock { $0.failures } }
    var running: Bool { storage.withLock { $0.running } }
    func stop() { storage.withLock { $0.running = false } }
}

