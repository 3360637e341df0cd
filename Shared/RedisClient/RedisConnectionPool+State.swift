/// The pool's bookkeeping, kept free of I/O so every transition is a plain, testable function.
/// The pool calls it under a lock and performs the returned actions outside it.
struct PoolState {
    typealias Waiter = CheckedContinuation<RedisConnection, any Error>

    enum Lifecycle { case notStarted, running, shutDown }

    enum SharedDecision {
        case ready(RedisConnection)
        case wait(Int)
    }

    enum LeaseDecision {
        case idle(RedisConnection)
        case open(connectionID: Int)
    }

    /// A caller waiting for a shared connection: first reserved, then parked with its
    /// continuation; resolved early if the outcome is known before it could park.
    private enum WaiterSlot {
        case reserved
        case parked(Waiter)
        case resolved(Result<RedisConnection, any Error>)
    }

    private(set) var lifecycle = Lifecycle.notStarted
    private(set) var shared: [RedisConnection] = []
    private(set) var idleLeases: [RedisConnection] = []
    private(set) var leasedCount = 0
    private var openingLeases = 0
    private var roundRobin = 0
    private var waiters: [Int: WaiterSlot] = [:]
    private var waiterOrder: [Int] = []
    private var nextWaiterID = 0
    private var lastConnectionID = 0
    /// Set while the shared connections are down after a failed attempt: callers fail fast.
    private(set) var lastFailure: RedisError?

    var waiterCount: Int { waiters.count }

    mutating func nextConnectionID() -> Int {
        lastConnectionID += 1
        return lastConnectionID
    }

    /// Marks the pool running; returns how many shared connections to open.
    mutating func start(minimum: Int) -> Int {
        guard lifecycle == .notStarted else { return 0 }
        lifecycle = .running
        return max(1, minimum)
    }

    mutating func shutDown() -> (connections: [RedisConnection], waiters: [Waiter]) {
        lifecycle = .shutDown
        let connections = shared + idleLeases
        shared = []
        idleLeases = []
        return (connections, takeParkedWaiters(resolvingReservedWith: .failure(shutdownError)))
    }

    // MARK: Shared

    /// A shared connection for one caller: the first that `isLocal` accepts (one on the caller's
    /// own event loop saves a thread hop each way), else the next in turn.
    mutating func sharedConnection(
        maximumWaiters: Int, isLocal: (RedisConnection) -> Bool = { _ in false }
    ) throws(RedisError) -> SharedDecision {
        if lifecycle == .shutDown { throw shutdownError }
        if let local = shared.first(where: isLocal) { return .ready(local) }
        if !shared.isEmpty {
            roundRobin = (roundRobin + 1) % shared.count
            return .ready(shared[roundRobin])
        }
        if let lastFailure {
            throw RedisError(.connectionFailed, "Redis is unavailable: \(lastFailure.message)")
        }
        guard waiters.count < maximumWaiters else {
            throw RedisError(.poolExhausted, "\(maximumWaiters) callers are already waiting for a Redis connection")
        }
        nextWaiterID += 1
        waiters[nextWaiterID] = .reserved
        waiterOrder.append(nextWaiterID)
        return .wait(nextWaiterID)
    }

    /// Stores a waiter's continuation; returns its result instead if it was already resolved.
    mutating func park(_ id: Int, _ waiter: Waiter) -> Result<RedisConnection, any Error>? {
        guard let slot = waiters[id] else { return .failure(shutdownError) }
        if case .resolved(let result) = slot {
            waiters[id] = nil
            waiterOrder.removeAll { $0 == id }
            return result
        }
        waiters[id] = .parked(waiter)
        return nil
    }

    /// Withdraws a waiter whose task was cancelled: returns its continuation, to resume with the
    /// cancellation, if it had parked; a waiter not parked yet finds the cancellation when it parks.
    mutating func cancelWaiter(_ id: Int) -> Waiter? {
        switch waiters[id] {
        case .parked(let waiter):
            waiters[id] = nil
            waiterOrder.removeAll { $0 == id }
            return waiter
        case .reserved:
            waiters[id] = .resolved(.failure(CancellationError()))
            return nil
        case .resolved, nil:
            return nil
        }
    }

    /// Records a new shared connection; returns whether it is wanted and the waiters it serves.
    mutating func sharedConnectionOpened(_ connection: RedisConnection) -> (accepted: Bool, waiters: [Waiter]) {
        guard lifecycle == .running else { return (false, []) }
        shared.append(connection)
        lastFailure = nil
        return (true, takeParkedWaiters(resolvingReservedWith: .success(connection)))
    }

    /// Records a failed attempt; returns the waiters to fail.
    mutating func sharedConnectionFailed(_ error: RedisError) -> [Waiter] {
        if shared.isEmpty { lastFailure = error }
        return takeParkedWaiters(resolvingReservedWith: .failure(error))
    }

    /// Forgets a closed shared connection; returns whether a replacement should be opened.
    mutating func sharedConnectionClosed(_ connection: RedisConnection) -> Bool {
        guard let index = shared.firstIndex(where: { $0 === connection }) else { return false }
        shared.remove(at: index)
        return lifecycle == .running
    }

    private mutating func takeParkedWaiters(
        resolvingReservedWith result: Result<RedisConnection, any Error>
    ) -> [Waiter] {
        var parked: [Waiter] = []
        for id in waiterOrder {
            switch waiters[id] {
            case .parked(let waiter):
                parked.append(waiter)
                waiters[id] = nil
            case .reserved:
                waiters[id] = .resolved(result)
            case .resolved, nil:
                break
            }
        }
        waiterOrder.removeAll { waiters[$0] == nil }
        return parked
    }

    // MARK: Leases

    mutating func lease(maximumConnections: Int) throws(RedisError) -> LeaseDecision {
        if lifecycle == .shutDown { throw shutdownError }
        while let connection = idleLeases.popLast() {
            guard connection.isActive else { continue }
            leasedCount += 1
            return .idle(connection)
        }
        let total = max(shared.count, 1) + leasedCount + openingLeases
        guard total < maximumConnections else {
            throw RedisError(.poolExhausted, "all \(maximumConnections) Redis connections are in use")
        }
        openingLeases += 1
        return .open(connectionID: nextConnectionID())
    }

    /// Records a lease's new connection; `false` if the pool shut down meanwhile.
    mutating func leaseOpened() -> Bool {
        openingLeases -= 1
        guard lifecycle != .shutDown else { return false }
        leasedCount += 1
        return true
    }

    mutating func leaseOpenFailed() {
        openingLeases -= 1
    }

    /// Takes a leased connection back; `false` if it should be closed instead of kept.
    mutating func release(_ connection: RedisConnection) -> Bool {
        leasedCount -= 1
        guard lifecycle == .running, connection.isActive else { return false }
        idleLeases.append(connection)
        return true
    }

    private var shutdownError: RedisError { RedisError(.clientShutdown, "the Redis client was shut down") }
}
