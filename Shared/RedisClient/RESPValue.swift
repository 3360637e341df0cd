/// A reply from Redis, copied out of hiredis' reply tree into plain Swift values.
///
/// RESP2 has five reply kinds; `RESPValue` mirrors them one to one. Server error replies are
/// values here (a pipeline or an `EXEC` can hold some among successes); the single-command APIs
/// of ``RedisClient`` throw them as ``RedisError`` with code ``RedisError/Code/server`` instead.
public enum RESPValue: Sendable, Hashable {
    /// A status reply such as `OK` or `QUEUED`.
    case simpleString(String)
    /// An error reply such as `ERR unknown command` or `NOSCRIPT No matching script`.
    case error(String)
    /// An integer reply.
    case integer(Int64)
    /// A bulk string reply: binary-safe bytes, exactly as stored.
    case bulkString([UInt8])
    /// The null bulk string or null array reply (a missing key, an aborted `EXEC`).
    case null
    /// An array reply.
    case array([RESPValue])
}

extension RESPValue {
    /// The reply as text: bulk strings decoded as UTF-8, status replies as they are, integers in
    /// decimal; `nil` for null, errors and arrays.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let value): String(value)
        case .error, .null, .array: nil
        }
    }

    /// The reply as bytes: bulk strings as stored, status replies as UTF-8; `nil` otherwise.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        case .error, .integer, .null, .array: nil
        }
    }

    /// The reply as an integer: integer replies, and bulk strings or status replies that hold a
    /// decimal integer (as `HGET` of a counter returns); `nil` otherwise.
    public var int: Int64? {
        switch self {
        case .integer(let value): value
        case .bulkString(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        case .simpleString(let text): Int64(text)
        case .error, .null, .array: nil
        }
    }

    /// The elements of an array reply; `nil` for every other kind.
    public var array: [RESPValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// `true` for the null reply.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The message of an error reply; `nil` for every other kind.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}
