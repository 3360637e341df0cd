import Foundation
import Logging
import Synchronization

/// Wraps a store with retries and a circuit breaker, so services see transient outages as short
/// delays or fast, clear ``StateError/Code/unavailable`` errors — never hangs.
///
/// - Only ``StateError/Code/unavailable`` is retried (refused or reset connections, timeouts, an
///   exhausted pool), with exponential backoff and jitter, within `retryBudget` in all.
///   Conflicts, invalid requests and store failures are never retried. A write whose reply was
///   lost may have happened: its retry can then answer `etagMismatch` — the usual at-least-once
///   caveat, and why services write with ETags.
/// - After `failureThreshold` consecutive `unavailable` failures the breaker opens: calls fail at
///   once for `openDuration`; then one trial call goes through, and its success closes the breaker.
public final class ResilientStateStore: StateStore {
    public struct Policy: Sendable {
        public var maximumAttempts: Int
        public var initialDelay: Duration
        public var maximumDelay: Duration
        /// The most time all attempts of one call may take together.
        public var retryBudget: Duration
        public var failureThreshold: Int
        public var openDuration: Duration
        /// How long one attempt may take before it counts as `unavailable` and is cancelled; for
        /// stores whose client can wait long on a dead or frozen server (PostgresNIO waits as long
        /// as the server takes). `nil`: the store's client bounds its calls itself (RedisClient
        /// does). ``postgresAttemptTimeout`` is the value for PostgreSQL stores.
        public var attemptTimeout: Duration?

        public init(
            maximumAttempts: Int = 3, initialDelay: Duration = .milliseconds(25), maximumDelay: Duration = .milliseconds(200),
            retryBudget: Duration = .seconds(1), failureThreshold: Int = 5, openDuration: Duration = .milliseconds(500),
            attemptTimeout: Duration? = nil
        ) {
            self.maximumAttempts = maximumAttempts
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
            self.retryBudget = retryBudget
            self.failureThreshold = failureThreshold
            self.openDuration = openDuration
            self.attemptTimeout = attemptTimeout
        }
    }

    /// The attempt timeout for PostgreSQL stores: a frozen server answers `unavailable` (503 with
    /// `Retry-After` on the HTTP APIs) within 2 s, retries included.
    public static let postgresAttemptTimeout: Duration = .milliseconds(1_500)

    public let base: any StateStore
    public let policy: Policy
    private let breaker: Mutex<CircuitBreaker>
    private let logger: Logger

    public init(_ base: any StateStore, policy: Policy = Policy(), logger: Logger) {
        self.base = base
        self.policy = policy
        self.breaker = Mutex(CircuitBreaker(threshold: policy.failureThreshold, openDuration: policy.openDuration))
        self.logger = logger
    }

    public var capabilities: StateStoreCapabilities { base.capabilities }

    public func get(_ key: String, consistency: Consistency) async throws -> StateItem? {
        try await resilient { try await self.base.get(key, consistency: consistency) }
    }

    public func bulkGet(_ keys: [String], consistency: Consistency) async throws -> BulkGetResult {
        try await resilient { try await self.base.bulkGet(keys, consistency: consistency) }
    }

    public func set(_ request: SetRequest) async throws {
        try await resilient { try await self.base.set(request) }
    }

    public func delete(_ request: DeleteRequest) async throws {
        try await resilient { try await self.base.delete(request) }
    }

    public func transaction(_ operations: [TransactionOperation]) async throws {
        try await resilient { try await self.base.transaction(operations) }
    }

    public func query(_ query: StateQuery, keyPrefix: String) async throws -> StateQueryResult {
        try await resilient { try await self.base.query(query, keyPrefix: keyPrefix) }
    }

    public func keys(prefix: String, limit: Int, token: String?) async throws -> StateKeysPage {
        try await resilient { try await self.base.keys(prefix: prefix, limit: limit, token: token) }
    }

    /// Runs `operation` under the retry policy and the breaker.
    func resilient<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let deadline = ContinuousClock.now + policy.retryBudget
        var attempt = 0
        while true {
            let admitted = breaker.withLock { $0.admit(at: .now) }
            guard admitted else { throw StateError(.unavailable, "the state store is unavailable (circuit open)") }
            do {
                let result = try await runAttempt(operation)
                if breaker.withLock({ $0.succeeded() }) { logger.info("state store available again") }
                return result
            } catch {
                let failure = StateError(error)
                guard failure.code == .unavailable else {
                    breaker.withLock { $0.answered() }
                    throw failure
                }
                if breaker.withLock({ $0.failed(at: .now) }) {
                    logger.warning("state store unavailable; failing fast", metadata: ["error": "\(failure.message)"])
                }
                attempt += 1
                let delay = backoff(attempt: attempt)
                guard attempt < policy.maximumAttempts, ContinuousClock.now + delay < deadline else { throw failure }
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Runs one attempt, bounded by `attemptTimeout` when there is one: at the timeout it counts
    /// as `unavailable` at once, even if the store's client goes on waiting (``withDeadline(_:_:)``).
    private func runAttempt<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result) async throws -> Result {
        guard let timeout = policy.attemptTimeout else { return try await operation() }
        do {
            return try await withDeadline(timeout, operation)
        } catch is DeadlineExceeded {
            throw StateError(.unavailable, "the state store did not answer within \(timeout)")
        }
    }

    private func backoff(attempt: Int) -> Duration {
        let exponential = policy.initialDelay * (1 << min(attempt - 1, 16))
        let capped = min(exponential, policy.maximumDelay)
        return capped * Double.random(in: 0.5...1)
    }
}

/// Closed → (threshold consecutive failures) → open → (openDuration) → half-open: one trial call;
/// its success closes the breaker, its failure opens it again.
struct CircuitBreaker {
    enum State: Equatable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(trialInFlight: Bool)
    }

    let threshold: Int
    let openDuration: Duration
    private(set) var state = State.closed(failures: 0)

    init(threshold: Int, openDuration: Duration) {
        self.threshold = max(1, threshold)
        self.openDuration = openDuration
    }

    /// Whether a call may go to the store now.
    mutating func admit(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: return true
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen(trialInFlight: true)
            return true
        case .halfOpen(let trialInFlight):
            guard !trialInFlight else { return false }
            state = .halfOpen(trialInFlight: true)
            return true
        }
    }

    /// Records a success; `true` when this closed an open breaker.
    mutating func succeeded() -> Bool {
        defer { state = .closed(failures: 0) }
        if case .closed = state { return false }
        return true
    }

    /// Records an answer that was not an outage (a conflict, a bad request): the store is up.
    mutating func answered() {
        _ = succeeded()
    }

    /// Records an outage; `true` when this opened a closed breaker.
    mutating func failed(at now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed(let failures):
            guard failures + 1 >= threshold else {
                state = .closed(failures: failures + 1)
                return false
            }
            state = .open(until: now + openDuration)
            return true
        case .halfOpen:
            state = .open(until: now + openDuration)
            return false
        case .open:
            return false
        }
    }
}
