import RedisClient

/// An event that failed every attempt, as stored in `<topic>.deadletter`.
public struct DeadLetter: Sendable, Hashable {
    /// The entry id in the dead-letter stream.
    public var id: String
    /// The envelope, exactly as it was published.
    public var envelope: EventEnvelope
    /// The last error, as the handler threw it.
    public var error: String
    /// The consumer group (app id) whose handler failed.
    public var group: String
    /// The consumer that gave up.
    public var consumer: String
    /// Handler attempts made.
    public var attempts: Int
    /// The event's entry id in the topic stream.
    public var streamID: String
    /// When it was dead-lettered (RFC 3339).
    public var failedAt: String

    /// Entry field names in the dead-letter stream (besides `envelope`).
    enum Field {
        static let error = "error"
        static let group = "group"
        static let consumer = "consumer"
        static let attempts = "attempts"
        static let streamID = "stream-id"
        static let failedAt = "failed-at"
    }
}

extension DeadLetter {
    init(_ entry: StreamEntry, topic: String) {
        func text(_ name: String) -> String { String(decoding: entry.fields[name] ?? [], as: UTF8.self) }
        id = entry.id
        envelope = EventEnvelope(topic: topic, bytes: entry.fields[RedisStreams.envelopeField] ?? [])
        error = text(Field.error)
        group = text(Field.group)
        consumer = text(Field.consumer)
        attempts = Int(text(Field.attempts)) ?? 0
        streamID = text(Field.streamID)
        failedAt = text(Field.failedAt)
    }
}

/// Operating the dead-letter streams: list what failed, send it back to its topic.
///
/// ```swift
/// let deadLetters = DeadLetters(client: redis)
/// for letter in try await deadLetters.list(topic: "OrderPaymentSucceeded") { print(letter.id, letter.error) }
/// try await deadLetters.replayAll(topic: "OrderPaymentSucceeded")
/// ```
///
/// A replayed event goes back to its topic stream with the same envelope (the same event id), so
/// every consumer group sees it again: the groups that handled it before skip it (deduplicated by
/// id within their window), the group that failed runs its handler again.
public struct DeadLetters: Sendable {
    let client: RedisClient
    /// As the bus's ``RedisStreamsEventBus/Configuration/streamPrefix``.
    public let streamPrefix: String
    /// Trimming of the topic stream on replay, as the bus's.
    public let maximumStreamLength: Int?

    public init(client: RedisClient, streamPrefix: String = "", maximumStreamLength: Int? = 100_000) {
        self.client = client
        self.streamPrefix = streamPrefix
        self.maximumStreamLength = maximumStreamLength
    }

    /// The dead-letter stream of `topic`.
    public func stream(_ topic: String) -> String { streamPrefix + topic + ".deadletter" }

    /// Dead letters of `topic`, oldest first, at most `count`, after the entry id `after` if given.
    public func list(topic: String, count: Int = 100, after: String? = nil) async throws -> [DeadLetter] {
        let start = after.map { "(" + $0 } ?? "-"
        let reply = try await client.send(RedisCommand("XRANGE", stream(topic), start, "+", "COUNT", max(1, count)))
        return try RedisStreams.entries(reply).map { DeadLetter($0, topic: topic) }
    }

    /// Sends the dead letter `id` back to its topic and removes it from the dead-letter stream,
    /// atomically; ``EventBusError/Code/notFound`` if there is none.
    public func replay(topic: String, id: String) async throws {
        let reply = try await client.send(RedisCommand("XRANGE", stream(topic), id, id))
        guard let entry = try RedisStreams.entries(reply).first else {
            throw EventBusError(.notFound, "no dead letter \(id) in \(stream(topic))")
        }
        try await replay(DeadLetter(entry, topic: topic))
    }

    /// Sends every dead letter of `topic` back, oldest first; returns how many.
    @discardableResult
    public func replayAll(topic: String) async throws -> Int {
        var replayed = 0
        var after: String?
        while true {
            let letters = try await list(topic: topic, count: 100, after: after)
            guard let last = letters.last else { return replayed }
            for letter in letters { try await replay(letter) }
            replayed += letters.count
            after = last.id
        }
    }

    private func replay(_ letter: DeadLetter) async throws {
        _ = try await client.transaction([
            RedisStreamsEventBus.add(letter.envelope, to: streamPrefix + letter.envelope.topic, maximumLength: maximumStreamLength),
            RedisCommand("XDEL", stream(letter.envelope.topic), letter.id),
        ])
    }
}
