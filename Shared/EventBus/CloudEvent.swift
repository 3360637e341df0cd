import Foundation

/// A CloudEvents 1.0 JSON envelope (structured mode) with the distributed-tracing extension
/// (W3C `traceparent`, and `tracestate` when the tracer sets one):
///
/// ```json
/// {"data":{…},"datacontenttype":"application/json","id":"5B0C…","source":"basket-api",
///  "specversion":"1.0","time":"2026-11-22T20:15:00.123Z","traceparent":"00-…-…-01",
///  "type":"UserCheckoutAccepted"}
/// ```
///
/// `id` is the event's id, `source` the publishing app id, `type` the topic, `time` the event's
/// creation date.
public struct CloudEvent<Payload: Codable & Sendable>: Codable, Sendable {
    public var specversion: String
    public var id: String
    public var source: String
    public var type: String
    public var time: String?
    public var datacontenttype: String?
    public var traceparent: String?
    public var tracestate: String?
    public var data: Payload
}

/// The envelope without its data: what the bus reads before it knows the payload type.
public struct CloudEventHeader: Codable, Sendable, Hashable {
    public var specversion: String
    public var id: String
    public var source: String
    public var type: String
    public var time: String?
    public var datacontenttype: String?
    public var traceparent: String?
    public var tracestate: String?

    public init(
        specversion: String = "1.0", id: String, source: String, type: String, time: String? = nil, datacontenttype: String? = "application/json",
        traceparent: String? = nil, tracestate: String? = nil
    ) {
        self.specversion = specversion
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.datacontenttype = datacontenttype
        self.traceparent = traceparent
        self.tracestate = tracestate
    }

    /// The trace context the publisher's span wrote (empty when it traced nothing).
    public var traceContext: TraceContextHeaders {
        TraceContextHeaders(traceparent: traceparent, tracestate: tracestate)
    }
}

/// One event on the wire: its topic and the envelope's JSON bytes, exactly as published (the
/// outbox stores and the relay republishes these very bytes).
public struct EventEnvelope: Sendable, Hashable {
    /// The topic (event name); the stream is this with the bus's stream prefix.
    public var topic: String
    /// The CloudEvents envelope as JSON.
    public var bytes: [UInt8]

    public init(topic: String, bytes: [UInt8]) {
        self.topic = topic
        self.bytes = bytes
    }

    /// Wraps `event` in a CloudEvents envelope.
    /// - Parameters:
    ///   - source: the publishing app id.
    ///   - traceContext: the span the event continues: by default the task's current span
    ///     (nothing when tracing is off), so an outbox entry carries the span that wrote it.
    public init<Event: IntegrationEvent>(_ event: Event, source: String, traceContext: TraceContextHeaders = .current) throws {
        let envelope = CloudEvent(
            specversion: "1.0", id: event.id.uuidString.lowercased(), source: source, type: Event.topic,
            time: EventJSON.format(event.creationDate), datacontenttype: "application/json",
            traceparent: traceContext.traceparent, tracestate: traceContext.tracestate, data: event)
        self.init(topic: Event.topic, bytes: Array(try EventJSON.encoder().encode(envelope)))
    }

    /// The envelope's attributes; throws when the bytes are not a CloudEvents 1.0 JSON envelope.
    public func header() throws(EventBusError) -> CloudEventHeader {
        let header: CloudEventHeader
        do {
            header = try EventJSON.decoder().decode(CloudEventHeader.self, from: Data(bytes))
        } catch {
            throw EventBusError(.malformedEnvelope, "not a CloudEvents JSON envelope: \(error)")
        }
        guard header.specversion == "1.0" else {
            throw EventBusError(.malformedEnvelope, "unsupported CloudEvents specversion '\(header.specversion)'")
        }
        guard !header.id.isEmpty else { throw EventBusError(.malformedEnvelope, "the envelope has an empty id") }
        return header
    }

    /// The payload decoded as `Event`.
    public func event<Event: IntegrationEvent>(as type: Event.Type) throws(EventBusError) -> Event {
        do {
            return try EventJSON.decoder().decode(CloudEvent<Event>.self, from: Data(bytes)).data
        } catch {
            throw EventBusError(.malformedEnvelope, "cannot decode the data of \(topic) as \(Event.self): \(error)")
        }
    }
}
