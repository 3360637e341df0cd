import Logging
import ServiceLifecycle
import Synchronization

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
    private let stop = StopSignal()
    private let wakeup = Wakeup()

    public init(outbox: any OutboxStore, bus: any EventBus, pollInterval: Duration = .milliseconds(500), batchSize: Int = 100, logger: Logger) {
        self.outbox = outbox
        self.bus = bus
        self.pollInterval = pollInterval
        self.batchSize = max(1, batchSize)
        self.logger = logger
    }

    /// Relays at once instead of at the next poll (call after committing an outbox transaction).
    public func wake() {
        wakeup.signal()
    }

    /// Relays until graceful shutdown or cancellation.
    public func run() async throws {
        await withGracefulShutdownHandler {
            while !stop.isStopped, !Task.isCancelled {
                do {
                    let published = try await relayPending()
                    if published > 0 { logger.debug("outbox relayed", metadata: ["outbox.published": "\(published)"]) }
                } catch {
                    logger.error("cannot relay the outbox; retrying", metadata: ["error": "\(String(reflecting: error))"])
                }
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { _ = await self.stop.sleep(for: self.pollInterval) }
                    group.addTask { await self.wakeup.wait() }
                    await group.next()
                    group.cancelAll()
                }
            }
        } onGracefulShutdown: {
            self.stop.stop()
        }
    }

    /// Publishes and removes pending entries in order until the outbox is empty (or the relay
    /// stops); returns how many were published.
    @discardableResult
    public func relayPending() async throws -> Int {
        var published = 0
        while !stop.isStopped {
            let entries = try await outbox.pending(limit: batchSize)
            guard !entries.isEmpty else { break }
            for entry in entries {
                guard !stop.isStopped else { break }
                try await bus.publish(entry.envelope)
                try await outbox.remove(entry)
                published += 1
            }
        }
        return published
    }
}

/// A wake-up call for one waiter; a call while nobody waits is kept for the next wait.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { (state: inout State) -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next ``signal()`` (or at once if one came meanwhile), or on cancellation.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter?.resume()  // one waiter at a time: an earlier one returns
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }?.resume()
        }
    }
}
