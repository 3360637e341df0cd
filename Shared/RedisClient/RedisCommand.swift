/// One Redis command: its name and arguments, binary-safe.
///
/// ```swift
/// let reply = try await client.send(RedisCommand("HSET", "basket-api||alice", "data", payload))
/// ```
public struct RedisCommand: Sendable, Hashable, CustomStringConvertible {
    /// The command name followed by its arguments, each as raw bytes.
    public var arguments: [[UInt8]]

    /// Creates a command from its name and arguments.
    public init(_ name: String, _ arguments: any RedisArgumentConvertible...) {
        self.init(name, arguments: arguments)
    }

    /// Creates a command from its name and an array of arguments.
    public init(_ name: String, arguments: [any RedisArgumentConvertible]) {
        var all: [[UInt8]] = [Array(name.utf8)]
        all.reserveCapacity(arguments.count + 1)
        for argument in arguments { all.append(argument.redisArgument) }
        self.arguments = all
    }

    /// The command name, as written.
    public var name: String { String(decoding: arguments.first ?? [], as: UTF8.self) }

    /// The command name only: arguments can hold secrets (`AUTH`) and user data, so they never
    /// appear in logs or error messages.
    public var description: String { name }
}

/// A value that can be sent as a Redis command argument.
public protocol RedisArgumentConvertible: Sendable {
    /// The bytes Redis receives for this argument.
    var redisArgument: [UInt8] { get }
}

extension String: RedisArgumentConvertible {
    public var redisArgument: [UInt8] { Array(utf8) }
}

extension Substring: RedisArgumentConvertible {
    public var redisArgument: [UInt8] { Array(utf8) }
}

extension Int: RedisArgumentConvertible {
    public var redisArgument: [UInt8] { Array(String(self).utf8) }
}

extension Int64: RedisArgumentConvertible {
    public var redisArgument: [UInt8] { Array(String(self).utf8) }
}

extension Array: RedisArgumentConvertible where Element == UInt8 {
    public var redisArgument: [UInt8] { self }
}
