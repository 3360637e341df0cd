import NIOCore
import NIOEmbedded
import Testing

@testable import RedisClient

@Suite(.timeLimit(.minutes(1))) struct PoolStateTests {
    private func connection(id: Int) -> RedisConnection {
        RedisConnection(id: id, channel: EmbeddedChannel(), commandTimeout: .seconds(1))
    }

    @Test func callersWaitWhileTheFirstConnectionOpens() throws {
        var state = PoolState()
        #expect(state.start(minimum: 2) == 2)
        guard case .wait = try state.sharedConnection(maximumWaiters: 10) else {
            Issue.record("expected to wait")
            return
        }
        #expect(state.waiterCount == 1)
    }

    @Test func boundsTheNumberOfWaiters() throws {
        var state = PoolState()
        _ = state.start(minimum: 1)
        _ = try state.sharedConnection(maximumWaiters: 2)
        _ = try state.sharedConnection(maximumWaiters: 2)
        let third = Result { try state.sharedConnection(maximumWaiters: 2) }
        #expect(throws: RedisError(.poolExhausted, "2 callers are already waiting for a Redis connection")) { try third.get() }
    }

    @Test func aWaiterResolvedBeforeItParksGetsItsResult() async throws {
        var state = PoolState()
        _ = state.start(minimum: 1)
        guard case .wait(let id) = try state.sharedConnection(maximumWaiters: 10) else { return }
        let opened = connection(id: 1)
        let (accepted, parked) = state.sharedConnectionOpened(opened)
        #expect(accepted && parked.isEmpty)
        // The caller parks only now, and must find its connection waiting for it.
        let result = try await withCheckedThrowingContinuation { continuation in
            let early = state.park(id, continuation)
            continuation.resume(with: early ?? .failure(RedisError(.unexpectedReply, "parked although resolved")))
        }
        #expect(result === opened)
    }

    @Test func aCancelledWaiterLeavesTheQueueAndFreesItsPlace() async throws {
        var state = PoolState()
        _ = state.start(minimum: 1)
        guard case .wait(let parkedID) = try state.sharedConnection(maximumWaiters: 2),
            case .wait(let reservedID) = try state.sharedConnection(maximumWaiters: 2)
        else { return }
        // The first parks, then its task is cancelled: its continuation comes back to be resumed.
        await #expect(throws: CancellationError.self) {
            try await withCheckedThrowingContinuation { (continuation: PoolState.Waiter) in
                #expect(state.park(parkedID, continuation) == nil)
                state.cancelWaiter(parkedID)?.resume(throwing: CancellationError())
            }
        }
        // The second is cancelled before it parks, and finds the cancellation when it does.
        #expect(state.cancelWaiter(reservedID) == nil)
        await #expect(throws: CancellationError.self) {
            try await withCheckedThrowingContinuation { (continuation: PoolState.Waiter) in
                continuation.resume(with: state.park(reservedID, continuation) ?? .failure(RedisError(.unexpectedReply, "parked although cancelled")))
            }
        }
        #expect(state.waiterCount == 0)
        _ = try state.sharedConnection(maximumWaiters: 1)  // room again
    }

    @Test func failsFastWhileTheServerIsDownAndRecovers() throws {
        var state = PoolState()
        _ = state.start(minimum: 1)
        _ = state.sharedConnectionFailed(RedisError(.connectionFailed, "refused"))
        let whileDown = Result { try state.sharedConnection(maximumWaiters: 10) }
        #expect(throws: RedisError.self) { try whileDown.get() }
        _ = state.sharedConnectionOpened(connection(id: 2))
        guard case .ready = try state.sharedConnection(maximumWaiters: 10) else {
            Issue.record("expected a ready connection")
            return
        }
    }

    /// The ids of the shared connections `count` callers get from a pool with connections 1 and 2.
    private func connectionsHandedOut(_ count: Int, isLocal: @escaping (RedisConnection) -> Bool = { _ in false }) throws -> [Int] {
        var state = PoolState()
        _ = state.start(minimum: 2)
        _ = state.sharedConnectionOpened(connection(id: 1))
        _ = state.sharedConnectionOpened(connection(id: 2))
        return try (0..<count).compactMap { _ in
            guard case .ready(let connection) = try state.sharedConnection(maximumWaiters: 1, isLocal: isLocal) else { return nil }
            return connection.id
        }
    }

    @Test func spreadsCallersRoundRobin() throws {
        #expect(try connectionsHandedOut(4) == [2, 1, 2, 1])
    }

    @Test func prefersTheConnectionOnTheCallersEventLoop() throws {
        #expect(try connectionsHandedOut(3) { $0.id == 2 } == [2, 2, 2])
    }

    @Test func leasesStopAtTheMaximum() throws {
        var state = PoolState()
        _ = state.start(minimum: 1)
        _ = state.sharedConnectionOpened(connection(id: 1))
        guard case .open = try state.lease(maximumConnections: 2) else { return }
        let opened = state.leaseOpened()
        #expect(opened)
        let beyond = Result { try state.lease(maximumConnections: 2) }
        #expect(throws: RedisError.self) { try beyond.get() }
    }

    @Test func shutdownRefusesLaterCallers() throws {
        var state = PoolState()
        _ = state.start(minimum: 1)
        _ = state.shutDown()
        let shared = Result { try state.sharedConnection(maximumWaiters: 1) }
        let leased = Result { try state.lease(maximumConnections: 4) }
        #expect(throws: RedisError.self) { try shared.get() }
        #expect(throws: RedisError.self) { try leased.get() }
    }
}
