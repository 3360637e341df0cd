/// Typed helpers for the commands the project uses most. Anything else goes through
/// ``RedisClient/send(_:)`` with a ``RedisCommand``.
extension RedisClient {
    /// `PING`: succeeds when the server answers.
    public func ping() async throws {
        let reply = try await send(RedisCommand("PING"))
        guard reply.string == "PONG" else { throw RedisError(.unexpectedReply, "PING answered \(reply)") }
    }

    /// `GET key`: the value's bytes, or `nil` when the key does not exist.
    public func get(_ key: String) async throws -> [UInt8]? {
        try await send(RedisCommand("GET", key)).bytes
    }

    /// `SET key value [PX milliseconds]`.
    public func set(_ key: String, to value: some RedisArgumentConvertible, expiresInMilliseconds: Int? = nil) async throws {
        let command = expiresInMilliseconds.map { RedisCommand("SET", key, value, "PX", $0) } ?? RedisCommand("SET", key, value)
        _ = try await send(command)
    }

    /// `DEL key…`: how many keys were removed.
    @discardableResult
    public func delete(_ keys: String...) async throws -> Int {
        try await integer(RedisCommand("DEL", arguments: keys))
    }

    /// `INCRBY key amount`: the new value.
    @discardableResult
    public func increment(_ key: String, by amount: Int = 1) async throws -> Int {
        try await integer(RedisCommand("INCRBY", key, amount))
    }

    /// `HSET key field value …`: how many fields were added.
    @discardableResult
    public func hashSet(_ key: String, fields: [(String, any RedisArgumentConvertible)]) async throws -> Int {
        try await integer(RedisCommand("HSET", arguments: [key] + fields.flatMap { [$0.0, $0.1] }))
    }

    /// `HGETALL key`: the fields and their bytes (empty when the key does not exist).
    public func hashGetAll(_ key: String) async throws -> [String: [UInt8]] {
        let reply = try await send(RedisCommand("HGETALL", key))
        guard let flat = reply.array, flat.count % 2 == 0 else {
            throw RedisError(.unexpectedReply, "HGETALL answered \(reply)")
        }
        var fields: [String: [UInt8]] = [:]
        for index in stride(from: 0, to: flat.count, by: 2) {
            fields[flat[index].string ?? ""] = flat[index + 1].bytes ?? []
        }
        return fields
    }

    private func integer(_ command: RedisCommand) async throws -> Int {
        let reply = try await send(command)
        guard let value = reply.int else { throw RedisError(.unexpectedReply, "\(command.name) answered \(reply)") }
        return Int(value)
    }
}
