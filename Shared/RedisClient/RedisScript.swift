import Crypto

/// A Lua script run with `EVALSHA`, so the server's script cache holds it and only its SHA-1
/// travels per call; when the server does not know it (after a restart or `SCRIPT FLUSH`), the
/// call falls back to `EVAL` once, which loads it again.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The hex SHA-1 of the source, as Redis names cached scripts.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = Insecure.SHA1.hash(data: Array(source.utf8))
            .map { byte in String(byte, radix: 16).leftPadded(to: 2) }
            .joined()
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}

extension RedisScript {
    /// `EVALSHA` through `send`, falling back to `EVAL` once on `NOSCRIPT`.
    func run(
        keys: [any RedisArgumentConvertible], arguments: [any RedisArgumentConvertible],
        send: (RedisCommand) async throws -> RESPValue
    ) async throws -> RESPValue {
        let tail: [any RedisArgumentConvertible] = [keys.count] + keys + arguments
        do {
            return try await send(RedisCommand("EVALSHA", arguments: [sha1] + tail))
        } catch let error as RedisError where error.serverErrorPrefix == "NOSCRIPT" {
            return try await send(RedisCommand("EVAL", arguments: [source] + tail))
        }
    }
}

extension RedisClient {
    /// Runs a script with `EVALSHA` on a shared connection, falling back to `EVAL` on `NOSCRIPT`.
    public func eval(
        _ script: RedisScript,
        keys: [any RedisArgumentConvertible] = [],
        arguments: [any RedisArgumentConvertible] = []
    ) async throws -> RESPValue {
        try await script.run(keys: keys, arguments: arguments, send: send)
    }
}

extension RedisConnection {
    /// Runs a script with `EVALSHA` on this connection, falling back to `EVAL` on `NOSCRIPT`.
    public func eval(
        _ script: RedisScript,
        keys: [any RedisArgumentConvertible] = [],
        arguments: [any RedisArgumentConvertible] = []
    ) async throws -> RESPValue {
        try await script.run(keys: keys, arguments: arguments, send: send)
    }
}
