import Foundation
import Logging
import NIOCore
import RedisClient

/// Reading, reclaiming, acknowledging and dead-lettering.
extension RedisStreamsEventBus {
    private var isRunning: Bool { !stop.isStopped && !Task.isCancelled }

    /// Reads new messages of one topic on a leased connection until stopped; reconnects after errors.
    func consume(_ subscription: Subscription) async {
        let stream = stream(subscription.topic)
        let blockMilliseconds = min(
            RedisStreams.milliseconds(configuration.blockTimeout),
            max(1, Int(client.configuration.commandTimeout.nanoseconds / 1_000_000) - 500))
        let read = RedisCommand(
            "XREADGROUP", "GROUP", configuration.appID, configuration.consumerName, "COUNT", configuration.batchSize,
            "BLOCK", blockMilliseconds, "STREAMS", stream, ">")
        var groupReady = false
        var failures = 0
        while isRunning {
            do {
                if !groupReady {
                    try await createGroup(stream)
                    groupReady = true
                }
                try await client.withConnection { connection in
                    while isRunning {
                        let entries = try RedisStreams.readGroupEntries(try await connection.send(read))
                        failures = 0
                        for entry in entries {
                            guard !stop.isStopped else { break }  // read but not started: reclaimed by another consumer
                            await process(entry, of: subscription)
                        }
                    }
                }
            } catch {
                if let error = error as? RedisError, error.serverErrorPrefix == "NOGROUP" { groupReady = false }
                failures += 1
                logger.error(
                    "cannot read events; retrying",
                    metadata: ["event.topic": "\(subscription.topic)", "error": "\(String(reflecting: error))"])
                _ = await stop.sleep(for: configuration.retry.backoff(afterAttempt: failures))
            }
        }
    }

    /// `XGROUP CREATE <stream> <app id> 0 MKSTREAM`; an existing group is fine.
    func createGroup(_ stream: String) async throws {
        do {
            _ = try await client.send(RedisCommand("XGROUP", "CREATE", stream, configuration.appID, "0", "MKSTREAM"))
        } catch let error as RedisError where error.serverErrorPrefix == "BUSYGROUP" {
            return
        }
    }

    /// Every half reclaim timeout, takes over messages other consumers left pending for longer.
    func reclaimAbandoned(_ subscriptions: [Subscription]) async {
        let interval = configuration.reclaimIdleTimeout / 2
        while await stop.sleep(for: interval) {
            for subscription in subscriptions where isRunning {
                do {
                    try await reclaim(subscription)
                } catch {
                    logger.error(
                        "cannot reclaim pending events; retrying",
                        metadata: ["event.topic": "\(subscription.topic)", "error": "\(String(reflecting: error))"])
                }
            }
        }
    }

    private func reclaim(_ subscription: Subscription) async throws {
        let stream = stream(subscription.topic)
        let minimumIdle = RedisStreams.milliseconds(configuration.reclaimIdleTimeout)
        var start = "0-0"
        repeat {
            let reply = try await client.send(
                RedisCommand(
                    "XAUTOCLAIM", stream, configuration.appID, configuration.consumerName, minimumIdle, start,
                    "COUNT", configuration.batchSize))
            let (next, entries, deleted) = try RedisStreams.autoclaim(reply)
            for id in deleted {
                logger.error(
                    "a pending event was trimmed from its stream before it was handled; raise maximumStreamLength",
                    metadata: ["event.topic": "\(subscription.topic)", "stream.id": "\(id)"])
            }
            for entry in entries where !stop.isStopped {
                let pending = try await client.send(RedisCommand("XPENDING", stream, configuration.appID, entry.id, entry.id, 1))
                let deliveries = RedisStreams.deliveryCount(pending) ?? 1
                logger.info(
                    "reclaimed an event another consumer left unacknowledged",
                    metadata: ["event.topic": "\(subscription.topic)", "stream.id": "\(entry.id)", "event.deliveries": "\(deliveries)"])
                await process(entry, of: subscription, earlierAttempts: deliveries - 1)
            }
            start = next
        } while start != "0-0" && isRunning
    }

    /// Delivers one entry and acknowledges or dead-letters it as the outcome says.
    func process(_ entry: StreamEntry, of subscription: Subscription, earlierAttempts: Int = 0) async {
        let outcome: DeliveryOutcome
        if let bytes = entry.fields[RedisStreams.envelopeField] {
            outcome = await delivery.deliver(
                EventEnvelope(topic: subscription.topic, bytes: bytes), to: subscription, earlierAttempts: earlierAttempts)
        } else {
            outcome = .deadLetter(error: "\(EventBusError(.malformedEntry, "the entry has no '\(RedisStreams.envelopeField)' field"))", attempts: 0)
        }
        let metadata: Logger.Metadata = ["event.topic": "\(subscription.topic)", "stream.id": "\(entry.id)"]
        do {
            switch outcome {
            case .handled, .duplicate:
                _ = try await client.send(RedisCommand("XACK", stream(subscription.topic), configuration.appID, entry.id))
            case .deadLetter(let error, let attempts):
                logger.error("event dead-lettered", metadata: metadata.merging(["error": "\(error)", "event.attempts": "\(attempts)"]) { $1 })
                try await deadLetter(entry, of: subscription.topic, error: error, attempts: attempts)
            case .abandoned:
                break
            }
        } catch {
            // Still pending: reclaimed later, and then acknowledged as a duplicate.
            logger.error("cannot acknowledge an event", metadata: metadata.merging(["error": "\(String(reflecting: error))"]) { $1 })
        }
    }

    /// Adds the entry to the dead-letter stream and acknowledges it, atomically.
    private func deadLetter(_ entry: StreamEntry, of topic: String, error: String, attempts: Int) async throws {
        let fields: [any RedisArgumentConvertible] = [
            RedisStreams.envelopeField, entry.fields[RedisStreams.envelopeField] ?? [],
            DeadLetter.Field.error, error,
            DeadLetter.Field.group, configuration.appID,
            DeadLetter.Field.consumer, configuration.consumerName,
            DeadLetter.Field.attempts, attempts,
            DeadLetter.Field.streamID, entry.id,
            DeadLetter.Field.failedAt, EventJSON.format(Date()),
        ]
        let head: [any RedisArgumentConvertible] = [deadLetterStream(topic)]
        let id: [any RedisArgumentConvertible] = ["*"]
        _ = try await client.transaction([
            RedisCommand("XADD", arguments: head + RedisStreams.trimArguments(configuration.maximumStreamLength) + id + fields),
            RedisCommand("XACK", stream(topic), configuration.appID, entry.id),
        ])
    }
}
