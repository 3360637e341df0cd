import Foundation
import Logging
import NIOCore
import RedisClient
import ServiceLifecycle

/// Reading, reclaiming, acknowledging and dead-lettering.
extension RedisStreamsEventBus {
    private var isRunning: Bool { !Task.isShuttingDownGracefully && !Task.isCancelled }

    /// Reads new messages of one topic on a leased connection until stopped; reconnects after errors.
    func consume(_ subscription: Subscription) async {
        let stream = stream(subscription.topic)
        let read = RedisCommand(
            "XREADGROUP", "GROUP", configuration.appID, configuration.consumerName, "COUNT", configuration.batchSize,
            "BLOCK", RedisStreams.milliseconds(configuration.blockTimeout), "STREAMS", stream, ">")
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
                        // The reply may take the whole block time: judged by block time + command timeout.
                        let entries = try RedisStreams.readGroupEntries(try await connection.send(read, blockingFor: configuration.blockTimeout))
                        failures = 0
                        var handled: [String] = []
                        for entry in entries {
                            guard !Task.isShuttingDownGracefully else { break }  // read but not started: reclaimed by another consumer
                            if await process(entry, of: subscription) { handled.append(entry.id) }
                        }
                        await acknowledge(handled, of: subscription.topic)
                    }
                }
            } catch {
                guard isRunning else { return }  // stopped mid-read (a cancelled wait): not a failure
                if let error = error as? RedisError, error.serverErrorPrefix == "NOGROUP" { groupReady = false }
                failures += 1
                logger.error(
                    "cannot read events; retrying",
                    metadata: ["event.topic": "\(subscription.topic)", "error": "\(String(reflecting: error))"])
                _ = await sleepUnlessShuttingDown(for: configuration.retry.backoff(afterAttempt: failures))
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
        while await sleepUnlessShuttingDown(for: interval) {
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
            for entry in entries where !Task.isShuttingDownGracefully {
                let pending = try await client.send(RedisCommand("XPENDING", stream, configuration.appID, entry.id, entry.id, 1))
                let deliveries = RedisStreams.deliveryCount(pending) ?? 1
                logger.info(
                    "reclaimed an event another consumer left unacknowledged",
                    metadata: ["event.topic": "\(subscription.topic)", "stream.id": "\(entry.id)", "event.deliveries": "\(deliveries)"])
                if await process(entry, of: subscription, earlierAttempts: deliveries - 1) {
                    await acknowledge([entry.id], of: subscription.topic)
                }
            }
            start = next
        } while start != "0-0" && isRunning
    }

    /// Delivers one entry and dead-letters it if the outcome says so; returns `true` when it is to
    /// be acknowledged (handled, or handled before).
    func process(_ entry: StreamEntry, of subscription: Subscription, earlierAttempts: Int = 0) async -> Bool {
        let outcome: DeliveryOutcome
        if let bytes = entry.fields[RedisStreams.envelopeField] {
            outcome = await delivery.deliver(
                EventEnvelope(topic: subscription.topic, bytes: bytes), to: subscription, earlierAttempts: earlierAttempts)
        } else {
            outcome = .deadLetter(error: "\(EventBusError(.malformedEntry, "the entry has no '\(RedisStreams.envelopeField)' field"))", attempts: 0)
        }
        switch outcome {
        case .handled, .duplicate:
            metrics.handled(subscription.topic, duplicate: outcome == .duplicate)
            return true
        case .deadLetter(let error, let attempts):
            let metadata: Logger.Metadata = [
                "event.topic": "\(subscription.topic)", "stream.id": "\(entry.id)", "error": "\(error)", "event.attempts": "\(attempts)",
            ]
            logger.error("event dead-lettered", metadata: metadata)
            do {
                try await deadLetter(entry, of: subscription.topic, error: error, attempts: attempts)
                metrics.deadLettered(subscription.topic)
            } catch {
                // Still pending: reclaimed later, and dead-lettered again then.
                logger.error("cannot dead-letter an event", metadata: metadata.merging(["error": "\(String(reflecting: error))"]) { $1 })
            }
            return false
        case .abandoned:
            return false
        }
    }

    /// `XACK` of the handled entries of a batch, in one command: a crash before it leaves them
    /// pending, and their redelivery is acknowledged as duplicates without running the handler.
    func acknowledge(_ ids: [String], of topic: String) async {
        guard !ids.isEmpty else { return }
        do {
            let head: [any RedisArgumentConvertible] = [stream(topic), configuration.appID]
            _ = try await client.send(RedisCommand("XACK", arguments: head + ids))
        } catch {
            logger.error(
                "cannot acknowledge events; they will be reclaimed and acknowledged as duplicates",
                metadata: ["event.topic": "\(topic)", "error": "\(String(reflecting: error))"])
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
