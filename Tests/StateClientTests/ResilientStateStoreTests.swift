import Foundation
import Logging
@testable import StateClient
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct ResilientStateStoreTests {
    /// A store whose next answers the test scripts: outages, conflicts, or the memory store's own.
    final class ScriptedStore: StateStore {
        let memory = MemoryStateStore()
        private let failures = Mutex<[StateError]>([])
        private let calls = Mutex(0)

        func failNext(_ errors: [StateError]) { failures.withLock { $0 = errors } }
        var callCount: Int { calls.withLock { $0 } }
        var capabilities: StateStoreCapabilities { memory.capabilities }

        private func step() throws {
            calls.withLock { $0 += 1 }
            let next = failures.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            if let next { throw next }
        }

        func get(_ key: String, consistency: Consistency) async throws -> StateItem? {
            try step()
            return try await memory.get(key, consistency: consistency)
        }
        func bulkGet(_ keys: [String], consistency: Consistency) async throws -> BulkGetResult {
            try step()
            return try await memory.bulkGet(keys, consistency: consistency)
        }
        func set(_ request: SetRequest) async throws {
            try step()
            try await memory.set(request)
        }
        func delete(_ request: DeleteRequest) async throws {
            try step()
            try await memory.delete(request)
        }
        func transaction(_ operations: [TransactionOperation]) async throws {
            try step()
            try await memory.transaction(operations)
        }
        func keys(prefix: String, limit: Int, token: String?) async throws -> StateKeysPage {
            try step()
            return try await memory.keys(prefix: prefix, limit: limit, token: token)
        }
    }

    private let outage = StateError(.unavailable, "connection refused")
    private let policy = ResilientStateStore.Policy(
        maximumAttempts: 3, initialDelay: .milliseconds(1), maximumDelay: .milliseconds(2), retryBudget: .seconds(1),
        failureThreshold: 3, openDuration: .milliseconds(200))

    @Test func retriesATransientOutage() async throws {
        let base = ScriptedStore()
        let store = ResilientStateStore(base, policy: policy, logger: Logger(label: "test"))
        base.failNext([outage, outage])
        try await store.set(SetRequest(key: "k", value: [0x31]))
        #expect(base.callCount == 3)
        #expect(try await base.memory.get("k", consistency: .eventual) != nil)
    }

    @Test func neverRetriesConflictsOrBadRequests() async throws {
        let base = ScriptedStore()
        let store = ResilientStateStore(base, policy: policy, logger: Logger(label: "test"))
        base.failNext([StateError(.etagMismatch, "conflict")])
        await #expect(throws: StateError(.etagMismatch, "conflict")) { try await store.set(SetRequest(key: "k", value: [0x31])) }
        #expect(base.callCount == 1)
    }

    @Test func givesUpAfterTheLastAttempt() async throws {
        let base = ScriptedStore()
        let store = ResilientStateStore(base, policy: policy, logger: Logger(label: "test"))
        base.failNext([outage, outage, outage, outage])
        await #expect(throws: outage) { _ = try await store.get("k", consistency: .eventual) }
        #expect(base.callCount == 3)
    }

    @Test func opensTheCircuitThenClosesItWhenTheStoreAnswers() async throws {
        let base = ScriptedStore()
        let store = ResilientStateStore(base, policy: policy, logger: Logger(label: "test"))
        base.failNext(Array(repeating: outage, count: 3))
        await #expect(throws: StateError.self) { _ = try await store.get("k", consistency: .eventual) }
        let callsWhenOpened = base.callCount
        await #expect { _ = try await store.get("k", consistency: .eventual) } throws: { error in
            (error as? StateError)?.message.contains("circuit open") == true
        }
        #expect(base.callCount == callsWhenOpened)  // failed fast, the store was not asked
        // Calls keep failing fast until the open duration has passed; then one goes through.
        let deadline = ContinuousClock.now + .seconds(2)
        while base.callCount == callsWhenOpened, ContinuousClock.now < deadline {
            _ = try? await store.get("k", consistency: .eventual)
            if base.callCount == callsWhenOpened { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(base.callCount == callsWhenOpened + 1)
        #expect(try await store.get("k", consistency: .eventual) == nil)
    }

    @Test func breakerLetsOneTrialThroughWhenHalfOpen() {
        var breaker = CircuitBreaker(threshold: 1, openDuration: .milliseconds(10))
        let start = ContinuousClock.now
        let opened = breaker.failed(at: start)
        let whileOpen = breaker.admit(at: start)
        let trial = breaker.admit(at: start + .milliseconds(10))
        let secondTrial = breaker.admit(at: start + .milliseconds(11))
        let closed = breaker.succeeded()
        let afterwards = breaker.admit(at: start + .milliseconds(12))
        #expect(opened && !whileOpen && trial && !secondTrial && closed && afterwards)
    }
}

@Suite(.timeLimit(.minutes(1))) struct ResilientStateStoreTimeoutTests {
    /// A store that never answers, as a client waiting on a dead server.
    struct SilentStore: StateStore {
        var capabilities: StateStoreCapabilities { [] }
        func get(_ key: String, consistency: Consistency) async throws -> StateItem? {
            try await Task.sleep(for: .seconds(60))
            return nil
        }
        func bulkGet(_ keys: [String], consistency: Consistency) async throws -> BulkGetResult { BulkGetResult() }
        func set(_ request: SetRequest) async throws {}
        func delete(_ request: DeleteRequest) async throws {}
        func transaction(_ operations: [TransactionOperation]) async throws {}
        func keys(prefix: String, limit: Int, token: String?) async throws -> StateKeysPage { StateKeysPage(keys: [], token: nil) }
    }

    @Test func boundsEachAttemptWhenTheStoreDoesNotAnswer() async {
        let policy = ResilientStateStore.Policy(maximumAttempts: 2, initialDelay: .milliseconds(1), retryBudget: .seconds(2), attemptTimeout: .milliseconds(100))
        let store = ResilientStateStore(SilentStore(), policy: policy, logger: Logger(label: "test"))
        let started = ContinuousClock.now
        await #expect { _ = try await store.get("k", consistency: .eventual) } throws: { ($0 as? StateError)?.code == .unavailable }
        // Unbounded, two attempts would wait two minutes; bounded, they take about 0.2 s (the
        // margin is for a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
