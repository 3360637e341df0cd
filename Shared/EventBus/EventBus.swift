import Foundation
import ServiceLifecycle

/// Publish and subscribe to integration events, at least once, with retries, a dead-letter
/// stream and handlers deduplicated by event id. Runs as a ServiceLifecycle `Service`: subscribe
/// first, then run it in the service group (after the clients it uses, so it stops before them).
///
/// ```swift
/// bus.subscribe(OrderStatusChangedToSubmitted.self) { event, context in
///     try await baskets.delete(event.buyerId)
/// }
/// let group = ServiceGroup(services: [redis, bus, app], logger: logger)
/// // … anywhere:
/// try await bus.publish(UserCheckoutAccepted(…))
/// ```
///
/// Implementations: ``RedisStreamsEventBus`` (production) and ``InMemoryEventBus`` (unit tests of
/// handlers), with the same delivery semantics.
public protocol EventBus: Service {
    /// Publishes `event` on its topic, wrapped in a CloudEvents envelope, in a producer span
    /// (`<topic> publish`) whose context the envelope's `traceparent` carries. Returns once the
    /// event is stored.
    func publish<Event: IntegrationEvent>(_ event: Event) async throws

    /// Publishes an envelope as it is (the outbox relay republishes stored envelopes this way).
    func publish(_ envelope: EventEnvelope) async throws

    /// Registers the handler of `Event`'s topic for this app; call before ``run()``, at most once
    /// per topic. The handler succeeds by returning; a thrown error makes the bus retry with
    /// backoff and, after the last attempt, move the event to the dead-letter stream.
    func subscribe<Event: IntegrationEvent>(
        _ type: Event.Type, handler: @escaping @Sendable (Event, EventContext) async throws -> Void)
}

extension EventBus {
    /// Registers a handler that needs no ``EventContext``.
    public func subscribe<Event: IntegrationEvent>(
        _ type: Event.Type, handler: @escaping @Sendable (Event) async throws -> Void
    ) {
        subscribe(type) { event, _ in try await handler(event) }
    }
}

/// What a handler knows about the delivery of its event.
public struct EventContext: Sendable {
    /// The topic (event name).
    public var topic: String
    /// The envelope's attributes: id, source (publishing app), time, trace context. The handler
    /// runs in the span `<topic> process`, a child of the span named by `header.traceparent`.
    public var header: CloudEventHeader
    /// 1 on the first delivery; higher on retries and after another consumer reclaimed it.
    public var attempt: Int

    /// A context as the bus makes it; for tests that call a handler directly.
    public init(topic: String, header: CloudEventHeader, attempt: Int) {
        self.topic = topic
        self.header = header
        self.attempt = attempt
    }
}

/// A registered handler, type-erased to envelopes.
struct Subscription: Sendable {
    let topic: String
    let handle: @Sendable (EventEnvelope, EventContext) async throws -> Void

    init<Event: IntegrationEvent>(_ type: Event.Type, handler: @escaping @Sendable (Event, EventContext) async throws -> Void) {
        topic = Event.topic
        handle = { envelope, context in
            try await handler(envelope.event(as: Event.self), context)
        }
    }
}
