import Logging
import RedisClient
import ServiceLifecycle

extension RedisStreamsEventBus {
    /// How often ``reportBacklog(_:)`` reads each topic's lag.
    static let backlogInterval: Duration = .seconds(5)

    /// Every ``backlogInterval``, records each subscribed topic's lag and pending entries for
    /// this group (`XINFO GROUPS`), until shutdown; the first time after one interval, when the
    /// consumers have made their groups. A failed read is logged at debug level only: the
    /// consumer loops report Redis being down already.
    func reportBacklog(_ subscriptions: [Subscription]) async {
        while await sleepUnlessShuttingDown(for: Self.backlogInterval) {
            for subscription in subscriptions {
                let topic = subscription.topic
                do {
                    let reply = try await client.send(RedisCommand("XINFO", "GROUPS", stream(topic)))
                    if let backlog = RedisStreams.groupBacklog(reply, group: configuration.appID) {
                        metrics.backlog(topic, lag: backlog.lag, pending: backlog.pending)
                    }
                } catch {
                    logger.debug("cannot read the consumer lag", metadata: ["event.topic": "\(topic)", "error": "\(error)"])
                }
            }
        }
    }
}
