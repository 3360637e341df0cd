import Logging
import Tracing

/// What became of one message.
enum DeliveryOutcome: Sendable, Equatable {
    /// The handler succeeded: acknowledge.
    case handled
    /// Handled before (same event id): acknowledge without running the handler again.
    case duplicate
    /// Every attempt failed, or the message can never be handled: dead-letter and acknowledge.
    case deadLetter(error: String, attempts: Int)
    /// The bus is stopping before the message was handled: leave it unacknowledged, so another
    /// consumer reclaims it.
    case abandoned
}

/// The delivery rules both buses share: deduplicate by event id, run the handler in a span that
/// continues the envelope's trace, retry with backoff, give up after the last attempt. A backoff
/// ends early, abandoning the message, when the bus shuts down gracefully (ServiceLifecycle).
struct EventDelivery: Sendable {
    let retry: RetryPolicy
    let handledEvents: HandledEventLog
    let logger: Logger
    /// Where retries are counted (the Redis bus); none in memory.
    var metrics: EventBusMetrics? = nil
    /// The consumer group (the subscribing app id), for the span.
    let group: String

    /// Delivers `envelope` to `subscription`.
    /// - Parameter earlierAttempts: deliveries already made (by consumers that died meanwhile).
    func deliver(_ envelope: EventEnvelope, to subscription: Subscription, earlierAttempts: Int = 0) async -> DeliveryOutcome {
        let header: CloudEventHeader
        do {
            header = try envelope.header()
        } catch {
            return .deadLetter(error: "\(error)", attempts: 0)
        }
        return await EventSpans.process(envelope.topic, header: header, group: group) { span in
            let outcome = await deliver(envelope, header: header, to: subscription, earlierAttempts: earlierAttempts, span: span)
            if case .deadLetter(let error, _) = outcome { span.setStatus(SpanStatus(code: .error, message: error)) }
            return outcome
        }
    }

    private func deliver(
        _ envelope: EventEnvelope, header: CloudEventHeader, to subscription: Subscription, earlierAttempts: Int, span: any Span
    ) async -> DeliveryOutcome {
        var metadata: Logger.Metadata = ["event.topic": "\(envelope.topic)", "event.id": "\(header.id)"]
        if earlierAttempts >= retry.maximumAttempts {
            return .deadLetter(error: "delivered \(earlierAttempts) times to consumers that stopped before acknowledging it", attempts: earlierAttempts)
        }
        var attempt = earlierAttempts
        var stateFailures = 0
        while true {
            let claim: HandledEventLog.Claim
            do {
                claim = try await handledEvents.begin(topic: envelope.topic, id: header.id)
                stateFailures = 0
            } catch {
                // The state store is failing: not the event's fault, so not an attempt; wait and retry.
                stateFailures += 1
                logger.warning("cannot check whether the event was handled; retrying", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                guard await sleepUnlessShuttingDown(for: retry.backoff(afterAttempt: stateFailures)) else { return .abandoned }
                continue
            }
            switch claim {
            case .alreadyHandled:
                logger.debug("event handled before; acknowledging", metadata: metadata)
                return .duplicate
            case .busy:
                guard await sleepUnlessShuttingDown(for: retry.initialBackoff) else { return .abandoned }
                continue
            case .claimed:
                break
            }

            attempt += 1
            metadata["event.attempt"] = "\(attempt)"
            span.attributes["messaging.eshop.attempts"] = attempt
            let context = EventContext(topic: envelope.topic, header: header, attempt: attempt)
            do {
                try await subscription.handle(envelope, context)
            } catch {
                span.recordError(error)
                await release(envelope.topic, header.id, metadata)
                if Task.isCancelled { return .abandoned }
                if let error = error as? EventBusError, error.code == .malformedEnvelope {
                    return .deadLetter(error: "\(error)", attempts: attempt)
                }
                guard attempt < retry.maximumAttempts else {
                    return .deadLetter(error: String(describing: error), attempts: attempt)
                }
                logger.warning("event handler failed; retrying", metadata: metadata.merging(["error": "\(String(describing: error))"]) { $1 })
                metrics?.retried(envelope.topic)
                guard await sleepUnlessShuttingDown(for: retry.backoff(afterAttempt: attempt)) else { return .abandoned }
                continue
            }
            do {
                try await handledEvents.complete(topic: envelope.topic, id: header.id)
            } catch {
                logger.warning("event handled but not recorded; a redelivery would run the handler again", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
            return .handled
        }
    }

    private func release(_ topic: String, _ id: String, _ metadata: Logger.Metadata) async {
        do {
            try await handledEvents.release(topic: topic, id: id)
        } catch {
            logger.warning("cannot release the handling lease; the retry waits until it expires", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }
}
