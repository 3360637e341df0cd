import Foundation
import Logging
import ServiceLifecycle
import StateClient
import Synchronization

/// An ``EventBus`` inside one process, for unit tests of handlers: the same delivery rules as
/// ``RedisStreamsEventBus`` (handlers deduplicated by event id through a state client, retries
/// with backoff, dead letters, trace context), without Redis.
///
/// ```swift
/// let bus = InMemoryEventBus(appID: "ordering-api")
/// bus.subscribe(OrderStockConfirmed.self) { event in … }
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     group.addTask { try await bus.run() }
///     try await bus.publish(OrderStockConfirmed(orderId: id))
///     await bus.waitUntilIdle()
///     group.cancelAll()
/// }
/// ```
///
/// Each topic keeps every published envelope (``published(topic:)``); a subscription made later
/// receives the earlier ones too, as a new consumer group reads a stream from its start.
public final class InMemoryEventBus: EventBus {
    public let appID: String
    private let delivery: EventDelivery
    private let state = Mutex(State())

    private struct State {
        var started = false
        var queues: [String: Queue] = [:]
        var published: [String: [EventEnvelope]] = [:]
        var deadLetters: [String: [DeadLetter]] = [:]
        var nextDeadLetter = 1
        var outstanding = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private struct Queue {
        var subscription: Subscription
        var stream: AsyncStream<EventEnvelope>
        var continuation: AsyncStream<EventEnvelope>.Continuation
    }

    /// - Parameters:
    ///   - state: where handled event ids are recorded; a fresh ``MemoryStateStore`` by default.
    ///   - retry: fast by default (3 attempts, 1 ms backoff), so tests of failing handlers are quick.
    public init(
        appID: String = "test-app",
        state: StateClient? = nil,
        retry: RetryPolicy = RetryPolicy(maximumAttempts: 3, initialBackoff: .milliseconds(1), maximumBackoff: .milliseconds(10)),
        deduplicationWindowInSeconds: Int = 86_400,
        logger: Logger = Logger(label: "in-memory-event-bus")
    ) {
        self.appID = appID
        let state = state ?? StateClient(store: MemoryStateStore(), storeName: "statestore", appID: appID)
        delivery = EventDelivery(
            retry: retry, handledEvents: HandledEventLog(state: state, windowInSeconds: deduplicationWindowInSeconds),
            logger: logger, group: appID)
    }

    // MARK: EventBus

    public func publish<Event: IntegrationEvent>(_ event: Event) async throws {
        try await EventSpans.publish(Event.topic, eventID: event.id.uuidString.lowercased()) {
            try await publish(EventEnvelope(event, source: appID))
        }
    }

    public func publish(_ envelope: EventEnvelope) async throws {
        _ = try envelope.header()
        state.withLock { state in
            state.published[envelope.topic, default: []].append(envelope)
            if let queue = state.queues[envelope.topic] {
                state.outstanding += 1
                queue.continuation.yield(envelope)
            }
        }
    }

    public func subscribe<Event: IntegrationEvent>(
        _ type: Event.Type, handler: @escaping @Sendable (Event, EventContext) async throws -> Void
    ) {
        let (stream, continuation) = AsyncStream.makeStream(of: EventEnvelope.self)
        state.withLock { state in
            precondition(!state.started, "subscribe to \(Event.topic) before the event bus runs")
            precondition(state.queues[Event.topic] == nil, "\(Event.topic) has a handler already")
            state.queues[Event.topic] = Queue(subscription: Subscription(type, handler: handler), stream: stream, continuation: continuation)
            for envelope in state.published[Event.topic] ?? [] {
                state.outstanding += 1
                continuation.yield(envelope)
            }
        }
    }

    /// Delivers published events until graceful shutdown (the handler in flight finishes) or
    /// cancellation.
    public func run() async throws {
        let queues = state.withLock { state in
            state.started = true
            return Array(state.queues.values)
        }
        await withDiscardingTaskGroup { group in
            for queue in queues {
                group.addTask { await self.consume(queue) }
            }
            group.addTask {
                try? await gracefulShutdown()  // or cancellation
                for queue in queues { queue.continuation.finish() }
            }
        }
    }

    private func consume(_ queue: Queue) async {
        for await envelope in queue.stream {
            guard !Task.isShuttingDownGracefully else { break }
            let outcome = await delivery.deliver(envelope, to: queue.subscription)
            state.withLock { state in
                if case .deadLetter(let error, let attempts) = outcome {
                    let id = "\(state.nextDeadLetter)-0"
                    state.nextDeadLetter += 1
                    state.deadLetters[envelope.topic, default: []].append(
                        DeadLetter(
                            id: id, envelope: envelope, error: error, group: appID, consumer: appID, attempts: attempts,
                            streamID: "", failedAt: EventJSON.format(Date())))
                }
            }
            finishedOne()
        }
    }

    // MARK: Inspection for tests

    /// Returns once every published event was handled, skipped or dead-lettered.
    public func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                if state.outstanding == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    private func finishedOne() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.outstanding -= 1
            guard state.outstanding == 0 else { return [] }
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Every envelope published on `topic`, in order.
    public func published(topic: String) -> [EventEnvelope] {
        state.withLock { $0.published[topic] ?? [] }
    }

    /// The events of `topic` whose handler failed every attempt, oldest first.
    public func deadLetters(topic: String) -> [DeadLetter] {
        state.withLock { $0.deadLetters[topic] ?? [] }
    }

    /// Publishes the dead letter `id` again and removes it; ``EventBusError/Code/notFound`` if absent.
    public func replay(topic: String, id: String) async throws {
        let letter = state.withLock { state -> DeadLetter? in
            guard let index = state.deadLetters[topic]?.firstIndex(where: { $0.id == id }) else { return nil }
            return state.deadLetters[topic]?.remove(at: index)
        }
        guard let letter else { throw EventBusError(.notFound, "no dead letter \(id) for \(topic)") }
        try await publish(letter.envelope)
    }
}
