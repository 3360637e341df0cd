import Logging
import NIOCore
import Synchronization

/// The connections of one ``RedisClient``.
///
/// - **Shared connections** (`minimumConnections` of them) carry every ordinary command. They are
///   multiplexed: a caller running on an event loop uses the connection on that loop, other
///   callers are spread round-robin, and all pipeline on them, so they are never "checked out".
///   They are opened by ``run()`` and reopened with exponential backoff when they close.
/// - **Leased connections** are handed to one caller at a time for commands that must not share a
///   connection (blocking reads, `WATCH`). They are opened on demand, kept for reuse, and together
///   with the shared ones never exceed `maximumConnections`.
///
/// While no shared connection is up, callers wait for the connection being opened, at most
/// `maximumWaiters` of them; when an attempt fails they all fail, and until the next attempt
/// succeeds new callers fail at once with ``RedisError/Code/connectionFailed`` (fail fast rather
/// than pile up behind a dead server).
final class RedisConnectionPool: Sendable {
    private let configuration: RedisClient.Configuration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let metrics: RedisClientMetrics
    private let state = Mutex(PoolState())
    /// Asks ``run()`` to open a shared connection on the given event loop.
    private let events: AsyncStream<any EventLoop>
    private let openSharedConnection: AsyncStream<any EventLoop>.Continuation

    init(configuration: RedisClient.Configuration, eventLoopGroup: any EventLoopGroup, metrics: RedisClientMetrics, logger: Logger) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.metrics = metrics
        self.logger = logger
        (events, openSharedConnection) = AsyncStream.makeStream(of: (any EventLoop).self)
    }

    // MARK: Lifecycle

    /// Opens the shared connections and keeps them open until the task is cancelled or
    /// ``shutdown()`` is called. They are spread over the event loops in turn, and a closed one is
    /// reopened on the same loop, so each loop keeps its share (callers on an event loop prefer
    /// that loop's connection).
    func run() async {
        let toOpen = state.withLock { $0.start(minimum: configuration.minimumConnections) }
        let eventLoops = Array(eventLoopGroup.makeIterator())
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<toOpen {
                    group.addTask { await self.keepOpeningSharedConnection(on: eventLoops[index % eventLoops.count]) }
                }
                for await eventLoop in events {
                    group.addTask { await self.keepOpeningSharedConnection(on: eventLoop) }
                }
                group.cancelAll()
            }
        } onCancel: {
            self.shutdown()
        }
    }

    /// Closes every connection and fails every waiter; later calls fail with
    /// ``RedisError/Code/clientShutdown``.
    func shutdown() {
        let (connections, waiters) = state.withLock { $0.shutDown() }
        openSharedConnection.finish()
        let error = RedisError(.clientShutdown, "the Redis client was shut down")
        for waiter in waiters { waiter.resume(throwing: error) }
        for connection in connections { connection.close() }
    }

    // MARK: Shared connections

    /// A shared connection for one command or pipeline. A caller that waits (no connection is
    /// open yet) stops waiting with `CancellationError` when its task is cancelled.
    func sharedConnection() async throws -> RedisConnection {
        let decision = try state.withLock { state throws(RedisError) in
            try state.sharedConnection(maximumWaiters: configuration.maximumWaiters) { $0.channel.eventLoop.inEventLoop }
        }
        switch decision {
        case .ready(let connection):
            return connection
        case .wait(let waiterID):
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let early = state.withLock { $0.park(waiterID, continuation) }
                    if let early { continuation.resume(with: early) }
                }
            } onCancel: {
                state.withLock { $0.cancelWaiter(waiterID) }?.resume(throwing: CancellationError())
            }
        }
    }

    /// Opens one shared connection on `eventLoop`, retrying with backoff until it succeeds or the
    /// pool stops.
    private func keepOpeningSharedConnection(on eventLoop: any EventLoop) async {
        var attempt = 0
        while !Task.isCancelled {
            let id = state.withLock { $0.nextConnectionID() }
            do {
                let connection = try await RedisConnection.connect(
                    id: id, configuration: configuration, eventLoop: eventLoop, logger: logger)
                let (accepted, waiters) = state.withLock { $0.sharedConnectionOpened(connection) }
                guard accepted else {
                    connection.close()
                    return
                }
                for waiter in waiters { waiter.resume(returning: connection) }
                metrics.sharedOpen.increment()
                if attempt > 0 {
                    logger.info("redis connection re-established", metadata: ["redis.connection": "\(id)"])
                }
                connection.closeFuture.whenComplete { _ in self.sharedConnectionClosed(connection) }
                return
            } catch {
                let redisError = error as? RedisError ?? RedisError(.connectionFailed, "\(error)")
                let waiters = state.withLock { $0.sharedConnectionFailed(redisError) }
                metrics.connectFailures.increment()
                for waiter in waiters { waiter.resume(throwing: redisError) }
                // Callers get the error; the log says it once per outage, not per attempt.
                if attempt == 0 {
                    logger.debug("redis connection failed", metadata: ["error": "\(redisError)"])
                }
                let delay = configuration.reconnectDelay(attempt: attempt)
                attempt += 1
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }

    private func sharedConnectionClosed(_ connection: RedisConnection) {
        let reopen = state.withLock { $0.sharedConnectionClosed(connection) }
        metrics.sharedOpen.decrement()
        if reopen {
            metrics.reconnects.increment()
            logger.warning("redis connection closed; reconnecting", metadata: ["redis.connection": "\(connection.id)"])
            openSharedConnection.yield(connection.channel.eventLoop)
        }
    }

    // MARK: Leased connections

    /// A connection for the caller alone, returned with ``release(_:)``.
    func lease() async throws -> RedisConnection {
        let decision = try state.withLock { state throws(RedisError) in
            try state.lease(maximumConnections: configuration.maximumConnections)
        }
        switch decision {
        case .idle(let connection):
            return connection
        case .open(let id):
            do {
                let connection = try await RedisConnection.connect(
                    id: id, configuration: configuration, eventLoop: eventLoopGroup.next(), logger: logger)
                guard state.withLock({ $0.leaseOpened() }) else {
                    connection.close()
                    throw RedisError(.clientShutdown, "the Redis client was shut down")
                }
                metrics.leasedOpen.increment()
                connection.closeFuture.whenComplete { _ in self.metrics.leasedOpen.decrement() }
                return connection
            } catch {
                metrics.connectFailures.increment()
                state.withLock { $0.leaseOpenFailed() }
                throw error
            }
        }
    }

    /// Gives a leased connection back for reuse (or drops it if it closed meanwhile).
    func release(_ connection: RedisConnection) {
        let keep = state.withLock { $0.release(connection) }
        if !keep { connection.close() }
    }
}

extension RedisClient.Configuration {
    /// Exponential backoff with jitter: a random delay between half and all of
    /// `initialReconnectDelay` × 2^attempt, capped at `maximumReconnectDelay`.
    func reconnectDelay(attempt: Int) -> Duration {
        let initial = Double(initialReconnectDelay.nanoseconds)
        let capped = min(initial * pow2(attempt), Double(maximumReconnectDelay.nanoseconds))
        return .nanoseconds(Int64(Double.random(in: (capped / 2)...capped)))
    }

    private func pow2(_ exponent: Int) -> Double {
        Double(1 << min(exponent, 30))
    }
}
