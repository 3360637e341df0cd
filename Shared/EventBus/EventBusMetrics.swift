import Metrics
import RedisClient

/// The event bus in figures, by topic and consumer group (docs/observability.md). Topics are the
/// event types' names and groups the app ids, so the label sets stay bounded.
///
/// - `eventbus_events_published_total{topic}`
/// - `eventbus_events_handled_total{topic,group,result}`: `handled`, or `duplicate` (handled
///   before, acknowledged without running the handler)
/// - `eventbus_handler_retries_total{topic,group}`: a handler failed and will run again
/// - `eventbus_events_dead_lettered_total{topic,group}`
/// - `eventbus_consumer_lag{topic,group}`: entries the group has not read yet (`XINFO GROUPS`' `lag`)
/// - `eventbus_consumer_pending{topic,group}`: entries read but not acknowledged
struct EventBusMetrics: Sendable {
    /// The consumer group (the app id).
    let group: String

    static func published(_ topic: String) {
        Counter(label: "eventbus_events_published_total", dimensions: [("topic", topic)]).increment()
    }

    func handled(_ topic: String, duplicate: Bool) {
        Counter(
            label: "eventbus_events_handled_total",
            dimensions: [("topic", topic), ("group", group), ("result", duplicate ? "duplicate" : "handled")]
        ).increment()
    }

    func retried(_ topic: String) {
        Counter(label: "eventbus_handler_retries_total", dimensions: [("topic", topic), ("group", group)]).increment()
    }

    func deadLettered(_ topic: String) {
        Counter(label: "eventbus_events_dead_lettered_total", dimensions: [("topic", topic), ("group", group)]).increment()
    }

    func backlog(_ topic: String, lag: Int64?, pending: Int64) {
        let dimensions = [("topic", topic), ("group", group)]
        // Redis reports no lag when it cannot tell (entries deleted from the middle of the stream).
        if let lag { Gauge(label: "eventbus_consumer_lag", dimensions: dimensions).record(lag) }
        Gauge(label: "eventbus_consumer_pending", dimensions: dimensions).record(pending)
    }
}

extension RedisStreams {
    /// `lag` and `pending` of `group` in an `XINFO GROUPS <stream>` reply (Redis 7: per group a
    /// flat list of field, value); `nil` when the group is not there. `lag` is null when Redis
    /// cannot tell.
    static func groupBacklog(_ reply: RESPValue, group: String) -> (lag: Int64?, pending: Int64)? {
        for info in reply.array ?? [] {
            let pairs = info.array ?? []
            var fields: [String: RESPValue] = [:]
            for index in stride(from: 0, to: pairs.count - 1, by: 2) {
                if let name = pairs[index].string { fields[name] = pairs[index + 1] }
            }
            guard fields["name"]?.string == group, let pending = fields["pending"]?.int else { continue }
            return (fields["lag"]?.int, pending)
        }
        return nil
    }
}
