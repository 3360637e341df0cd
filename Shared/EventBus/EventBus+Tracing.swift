import Tracing

/// The event bus's spans, named and attributed as OpenTelemetry's messaging conventions say
/// (`<topic> publish`, producer; `<topic> process`, consumer), with `messaging.system` `redis`.
enum EventSpans {
    /// Runs `body` in the producer span of publishing `topic`, a child of `parent`. Inside it
    /// ``TraceContextHeaders/current`` is this span: the envelope made in `body` names it, so
    /// the handlers' spans become its children.
    static func publish<Result>(
        _ topic: String, eventID: String?, parent: ServiceContext = .current ?? .topLevel,
        _ body: () async throws -> Result
    ) async throws -> Result {
        try await withSpan("\(topic) publish", context: parent, ofKind: .producer) { span in
            span.updateAttributes { attributes in
                attributes["messaging.system"] = "redis"
                attributes["messaging.operation.type"] = "send"
                attributes["messaging.destination.name"] = topic
                if let eventID { attributes["messaging.message.id"] = eventID }
            }
            return try await body()
        }
    }

    /// Runs `body` (the delivery of one event to this app's handler, retries included) in the
    /// consumer span that continues the trace of the envelope's `traceparent`. An error that
    /// escapes `body` is recorded by `withSpan`; `body` records each failed attempt itself.
    static func process<Result>(
        _ topic: String, header: CloudEventHeader, group: String, _ body: (any Span) async throws -> Result
    ) async rethrows -> Result {
        try await withSpan("\(topic) process", context: header.traceContext.serviceContext(), ofKind: .consumer) { span in
            span.updateAttributes { attributes in
                attributes["messaging.system"] = "redis"
                attributes["messaging.operation.type"] = "process"
                attributes["messaging.destination.name"] = topic
                attributes["messaging.message.id"] = header.id
                attributes["messaging.consumer.group.name"] = group
                attributes["cloudevents.event_source"] = header.source
            }
            return try await body(span)
        }
    }
}
