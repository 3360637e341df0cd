import RedisClient

/// One entry of a Redis stream.
struct StreamEntry: Sendable, Hashable {
    var id: String
    var fields: [String: [UInt8]]
}

/// Reading the replies of the stream commands the bus uses.
enum RedisStreams {
    /// The entry field that holds the CloudEvents envelope.
    static let envelopeField = "envelope"

    /// `[[id, [field, value, …]], …]`; entries whose fields are null (deleted meanwhile) are skipped.
    static func entries(_ reply: RESPValue) throws(EventBusError) -> [StreamEntry] {
        guard let items = reply.array else { throw unexpected(reply) }
        var entries: [StreamEntry] = []
        for item in items {
            guard let parts = item.array, parts.count == 2, let id = parts[0].string else { throw unexpected(reply) }
            guard let pairs = parts[1].array else { continue }
            var fields: [String: [UInt8]] = [:]
            for index in stride(from: 0, to: pairs.count - 1, by: 2) {
                if let name = pairs[index].string { fields[name] = pairs[index + 1].bytes ?? [] }
            }
            entries.append(StreamEntry(id: id, fields: fields))
        }
        return entries
    }

    /// `XREADGROUP` of one stream: null on timeout, else `[[stream, entries]]`.
    static func readGroupEntries(_ reply: RESPValue) throws(EventBusError) -> [StreamEntry] {
        if reply.isNull { return [] }
        guard let streams = reply.array else { throw unexpected(reply) }
        var entries: [StreamEntry] = []
        for stream in streams {
            guard let parts = stream.array, parts.count == 2 else { throw unexpected(reply) }
            entries += try self.entries(parts[1])
        }
        return entries
    }

    /// `XAUTOCLAIM` (Redis 7): `[next start, entries, ids of entries deleted meanwhile]`.
    static func autoclaim(_ reply: RESPValue) throws(EventBusError) -> (next: String, entries: [StreamEntry], deleted: [String]) {
        guard let parts = reply.array, parts.count >= 2, let next = parts[0].string else { throw unexpected(reply) }
        let deleted = parts.count > 2 ? (parts[2].array ?? []).compactMap(\.string) : []
        return (next, try entries(parts[1]), deleted)
    }

    /// How often the entry was delivered, from `XPENDING stream group id id 1`; `nil` when it is
    /// no longer pending.
    static func deliveryCount(_ reply: RESPValue) -> Int? {
        guard let first = reply.array?.first?.array, first.count == 4, let count = first[3].int else { return nil }
        return Int(count)
    }

    /// The `MAXLEN ~ n` arguments of `XADD`, or none.
    static func trimArguments(_ maximumLength: Int?) -> [any RedisArgumentConvertible] {
        guard let maximumLength else { return [] }
        return ["MAXLEN", "~", maximumLength]
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    private static func unexpected(_ reply: RESPValue) -> EventBusError {
        EventBusError(.unexpectedReply, "unexpected stream reply: \(reply)")
    }
}
