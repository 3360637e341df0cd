import Logging
import ServiceLifecycle

/// Publishes what an ``OutboxStore`` holds, oldest first, and removes each entry once it is
/// published. Runs as a `Service` beside the bus: it polls every `pollInterval`, and at once
/// after ``wake()``.
///
/// Nothing is lost: an entry is removed only after the bus stored the event, so a crash between
/// publish and removal publishes it again on restart (at least once; subscribers deduplicate by
/// event id). A failed publish stops the round, keeping the order, and is retried at the next poll.
/// Several replicas may relay one outbox; they may then publish an entry twice, never lose it.
public final class OutboxRelay: Service {
    let outbox: any OutboxStore
    let bus: any EventBus
    let pollInterval: Duration
    let batchSize: Int
    let logger: Logger
    /// Wake-ups: ``wake()``'s and the poll's; one pending at most, as more would relay nothing more.
    private let wakeups: AsyncStream<Void>
    private let wakeupContinuation: AsyncStream<Void>.Continuation

    public init(outbox: any OutboxStore, bus: any EventBus, pollInterval: Duration = .milliseconds(500), batchSize: Int = 100, logger: Logger) {
        self.outbox = outbox
        self.bus = bus
        self.pollInterval = pollInterval
        self.batchSize = max(1, batchSize)
        self.logger = logger
        (wakeups, wakeupContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Relays at once instead of at the next poll (call after committing an outbox transaction).
    public func wake() {
        wakeupContinuation.yield()
    }

    /// Relays until graceful shutdown or cancellation (call once).
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                while await sleepUnlessShuttingDown(for: self.pollInterval) { self.wakeupContinuation.yield() }
            }
            await relayLoggingErrors()
            for await _ in wakeups.cancelOnGracefulShutdown() { await relayLoggingErrors() }
            group.cancelAll()
        }
    }

    private func relayLoggingErrors() async {
        do {
            let published = try await relayPending()
            if published > 0 { logger.debug("outbox relayed", metadata: ["outbox.published": "\(published)"]) }
        } catch {
            logger.error("cannot relay the outbox; retrying", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Publishes and removes pending entries in order until the outbox is empty (or the relay
    /// stops); returns how many were published.
    @discardableResult
    public func relayPending() async throws -> Int {
        var published = 0
        while !Task.isShuttingDownGracefully {
            let entries = try await outbox.pending(limit: batchSize)
            guard !entries.isEmpty else { break }
            for entry in entries {
                guard !Task.isShuttingDownGracefully else { break }
                try await bus.publish(entry.envelope)
                try await outbox.remove(entry)
                published += 1
            }
        }
        return published
    }
}
