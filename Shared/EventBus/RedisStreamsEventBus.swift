import Foundation
import Logging
import RedisClient
import ServiceLifecycle
import StateClient
import Synchronization

/// The ``EventBus`` on Redis Streams: one stream per topic, one consumer group per app id.
///
/// ```swift
/// let state = StateClient(store: RedisStateStore(client: redis, logger: logger), storeName: "statestore", appID: "ordering-api")
/// let bus = RedisStreamsEventBus(client: redis, state: state, configuration: .init(appID: "ordering-api"), logger: logger)
/// bus.subscribe(UserCheckoutAccepted.self) { event, context in … }
/// let group = ServiceGroup(services: [redis, bus, app], logger: logger)   // the bus stops before redis
/// ```
///
/// - **Publish**: `XADD <topic> MAXLEN ~ <maximumStreamLength> * envelope <CloudEvents JSON>`.
/// - **Consume**: on start, `XGROUP CREATE <topic> <app id> 0 MKSTREAM` (from the stream's start, so
///   events published before the first subscriber started are delivered too); then per topic a
///   loop on a leased connection: `XREADGROUP GROUP <app id> <consumer> COUNT n BLOCK ms STREAMS
///   <topic> >`. A message is acknowledged (`XACK`) only after its handler succeeded or it was
///   dead-lettered.
/// - **Retries**: a failing handler is retried in place with exponential backoff
///   (``RetryPolicy``); after the last attempt the message is added to `<topic>.deadletter` with
///   the error and acknowledged, in one `MULTI`. Other messages keep flowing.
/// - **Dead consumers**: every half ``Configuration/reclaimIdleTimeout`` each consumer runs
///   `XAUTOCLAIM` for messages pending longer than that timeout and handles them; a message whose
///   consumers kept dying is dead-lettered once it was delivered ``RetryPolicy/maximumAttempts`` times.
/// - **Idempotency**: handlers are deduplicated by event id through ``HandledEventLog``.
/// - **Metrics**: published, handled, retried and dead-lettered events, and every
///   ``backlogInterval`` each topic's lag for this group (``EventBusMetrics``).
/// - **Graceful shutdown**: no new reads; the handler in flight finishes and is acknowledged;
///   messages read but not started stay pending and are reclaimed by another consumer.
public final class RedisStreamsEventBus: EventBus {
    /// How the bus reads, retries, reclaims and trims.
    public struct Configuration: Sendable {
        /// The app id: the consumer group, and the `source` of published events.
        public var appID: String
        /// This process' name within the group; unique per process by default.
        public var consumerName: String
        /// Put before every topic to name its stream (isolates tests and environments); default none.
        public var streamPrefix: String
        /// Messages read per `XREADGROUP` and reclaimed per `XAUTOCLAIM`.
        public var batchSize: Int
        /// How long one `XREADGROUP` blocks; its reply is awaited for this plus the client's
        /// command timeout, so a loaded server never turns an idle read into a timeout.
        public var blockTimeout: Duration
        /// A message pending this long with another (dead or stuck) consumer is taken over.
        /// Keep it above the longest handler run plus its retries.
        public var reclaimIdleTimeout: Duration
        public var retry: RetryPolicy
        /// Streams are trimmed to about this many entries on every `XADD` (`MAXLEN ~`); `nil`: never.
        /// Trimming removes old entries whether acknowledged or not: keep it well above the backlog
        /// a consumer group may fall behind by.
        public var maximumStreamLength: Int?
        /// How long handled event ids are remembered for deduplication, in seconds.
        public var deduplicationWindowInSeconds: Int
        /// How long one handler run may hold an event before another consumer may run it, in seconds.
        public var handlingLeaseInSeconds: Int

        public init(
            appID: String,
            consumerName: String? = nil,
            streamPrefix: String = "",
            batchSize: Int = 16,
            blockTimeout: Duration = .seconds(2),
            reclaimIdleTimeout: Duration = .seconds(30),
            retry: RetryPolicy = RetryPolicy(),
            maximumStreamLength: Int? = 100_000,
            deduplicationWindowInSeconds: Int = 86_400,
            handlingLeaseInSeconds: Int = 60
        ) {
            self.appID = appID
            self.consumerName = consumerName ?? Self.uniqueConsumerName(appID: appID)
            self.streamPrefix = streamPrefix
            self.batchSize = max(1, batchSize)
            self.blockTimeout = blockTimeout
            self.reclaimIdleTimeout = reclaimIdleTimeout
            self.retry = retry
            self.maximumStreamLength = maximumStreamLength
            self.deduplicationWindowInSeconds = deduplicationWindowInSeconds
            self.handlingLeaseInSeconds = handlingLeaseInSeconds
        }

        /// `<app id>-<host>-<pid>-<random>`: a restarted process is a new consumer, and the old
        /// one's pending messages are reclaimed.
        static func uniqueConsumerName(appID: String) -> String {
            let random = UUID().uuidString.prefix(8).lowercased()
            return "\(appID)-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(random)"
        }
    }

    public let configuration: Configuration
    let client: RedisClient
    let logger: Logger
    let delivery: EventDelivery
    let metrics: EventBusMetrics
    private let registry = Mutex<(started: Bool, subscriptions: [String: Subscription])>((false, [:]))

    /// - Parameters:
    ///   - client: a running ``RedisClient`` (run it in the service group before the bus).
    ///   - state: the app's state client, where handled event ids are recorded.
    public init(client: RedisClient, state: StateClient, configuration: Configuration, logger: Logger) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        let metrics = EventBusMetrics(group: configuration.appID)
        self.metrics = metrics
        self.delivery = EventDelivery(
            retry: configuration.retry,
            handledEvents: HandledEventLog(
                state: state, windowInSeconds: configuration.deduplicationWindowInSeconds,
                leaseInSeconds: configuration.handlingLeaseInSeconds),
            logger: logger, metrics: metrics, group: configuration.appID)
    }

    /// The stream of `topic`.
    public func stream(_ topic: String) -> String { configuration.streamPrefix + topic }

    /// The dead-letter stream of `topic`.
    public func deadLetterStream(_ topic: String) -> String { stream(topic) + ".deadletter" }

    // MARK: Publish

    public func publish<Event: IntegrationEvent>(_ event: Event) async throws {
        try await EventSpans.publish(Event.topic, eventID: event.id.uuidString.lowercased()) {
            try await add(EventEnvelope(event, source: configuration.appID))
        }
    }

    /// Publishes a stored envelope after checking it is a CloudEvents envelope (a malformed one
    /// would only be dead-lettered by every subscriber).
    /// Its span continues the envelope's trace (the outbox writer's span, for the relay).
    public func publish(_ envelope: EventEnvelope) async throws {
        let header = try envelope.header()
        try await EventSpans.publish(envelope.topic, eventID: header.id, parent: header.traceContext.serviceContext()) {
            try await add(envelope)
        }
    }

    private func add(_ envelope: EventEnvelope) async throws {
        _ = try await client.send(Self.add(envelope, to: stream(envelope.topic), maximumLength: configuration.maximumStreamLength))
        EventBusMetrics.published(envelope.topic)
    }

    /// `XADD <stream> [MAXLEN ~ n] * envelope <bytes>`.
    static func add(_ envelope: EventEnvelope, to stream: String, maximumLength: Int?) -> RedisCommand {
        let head: [any RedisArgumentConvertible] = [stream]
        let entry: [any RedisArgumentConvertible] = ["*", RedisStreams.envelopeField, envelope.bytes]
        return RedisCommand("XADD", arguments: head + RedisStreams.trimArguments(maximumLength) + entry)
    }

    // MARK: Subscribe and run

    public func subscribe<Event: IntegrationEvent>(
        _ type: Event.Type, handler: @escaping @Sendable (Event, EventContext) async throws -> Void
    ) {
        registry.withLock { registry in
            precondition(!registry.started, "subscribe to \(Event.topic) before the event bus runs")
            precondition(registry.subscriptions[Event.topic] == nil, "\(Event.topic) has a handler already")
            registry.subscriptions[Event.topic] = Subscription(type, handler: handler)
        }
    }

    /// Consumes every subscribed topic until graceful shutdown or cancellation; a bus without
    /// subscriptions (publish only) just waits.
    public func run() async throws {
        let subscriptions = registry.withLock { registry in
            registry.started = true
            return registry.subscriptions.values.sorted { $0.topic < $1.topic }
        }
        await withDiscardingTaskGroup { group in
            guard !subscriptions.isEmpty else {
                group.addTask { try? await gracefulShutdown() }
                return
            }
            for subscription in subscriptions {
                group.addTask { await self.consume(subscription) }
            }
            group.addTask { await self.reclaimAbandoned(subscriptions) }
            group.addTask { await self.reportBacklog(subscriptions) }
        }
    }
}
