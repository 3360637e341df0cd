import Logging
import RedisClient
import ServiceLifecycle

extension RedisStreamsEventBus {
    /// Every ``ConsumerBacklog/interval``, records each subscribed topic's lag and pending
    /// entries for this group, until shutdown; the first time after one interval, when the
    /// consumers have made their groups. A failed read is logged at debug level only: the
    /// consumer loops report Redis being down already.
    func reportBacklog(_ subscriptions: [Subscription]) async {
        while await sleepUnlessShuttingDown(for: ConsumerBacklog.interval) {
            for subscription in subscriptions {
                let topic = subscription.topic
                do {
                    try await ConsumerBacklog.record(client: client, stream: stream(topic), topic: topic, group: configuration.appID)
                } catch {
                    logger.debug("cannot read the consumer lag", metadata: ["event.topic": "\(topic)", "error": "\(error)"])
                }
            }
        }
    }
}

/// A consumer group's backlog on one stream, as the gauges `eventbus_consumer_lag` and
/// `eventbus_consumer_pending` (``EventBusMetrics``): for every consumer of a stream, the bus's
/// and others (the model worker's checkpointed consumer).
public enum ConsumerBacklog {
    /// How often consumers record it.
    public static let interval: Duration = .seconds(5)

    /// Reads `group`'s backlog on `stream` (`XINFO GROUPS`) and records it under `topic`;
    /// nothing when the group does not exist yet.
    public static func record(client: RedisClient, stream: String, topic: String, group: String) async throws {
        let reply = try await client.send(RedisCommand("XINFO", "GROUPS", stream))
        if let backlog = RedisStreams.groupBacklog(reply, group: group) {
            EventBusMetrics(group: group).backlog(topic, lag: backlog.lag, pending: backlog.pending)
        }
    }
}
