import Logging
import RedisClient
import StateClient

/// `strong` writes: after the script, `WAIT` until every connected replica has the write.
extension RedisStateStore {
    /// How many replicas were connected, and when that was asked.
    struct ReplicaCount: Sendable {
        var replicas: Int
        var asked: ContinuousClock.Instant
    }

    /// How long an `INFO replication` answer is reused.
    static let replicaCountLifetime = Duration.seconds(5)
    /// How long `WAIT` waits for the replicas, in milliseconds (Dapr's figure).
    static let replicaWaitMilliseconds = 1_000

    /// Runs `script` and, when the server has online replicas, `WAIT`s for all of them on the same
    /// connection — `WAIT` only covers the writes of its own connection, and it blocks that
    /// connection, so both run on a leased one rather than a shared one. Without replicas it is a
    /// plain script call.
    ///
    /// Fewer acknowledgements than replicas within ``replicaWaitMilliseconds`` is
    /// ``StateError/Code/unavailable``: the write was applied on the primary but is not known to be
    /// replicated, which is what `strong` promises.
    func evalAndWait(
        _ script: RedisScript, keys: [String], arguments: [any RedisArgumentConvertible]
    ) async throws -> RESPValue {
        let replicas = try await connectedReplicas()
        guard replicas > 0 else { return try await client.eval(script, keys: keys, arguments: arguments) }
        let (reply, acknowledged) = try await client.withConnection { connection in
            let reply = try await connection.eval(script, keys: keys, arguments: arguments)
            let acknowledged = try await connection.send(RedisCommand("WAIT", replicas, Self.replicaWaitMilliseconds))
            return (reply, Int(acknowledged.int ?? 0))
        }
        guard acknowledged >= replicas else {
            replicaCache.withLock { $0 = nil }
            logger.warning(
                "strong write not acknowledged by every replica",
                metadata: ["replicas": "\(replicas)", "acknowledged": "\(acknowledged)"])
            throw StateError(
                .unavailable,
                "the write was applied on the primary, but only \(acknowledged) of \(replicas) replicas acknowledged it within \(Self.replicaWaitMilliseconds) ms")
        }
        return reply
    }

    /// The replicas `INFO replication` lists as `state=online`, cached for ``replicaCountLifetime``.
    /// Dapr counts `connected_slaves`, which includes replicas still in their initial sync; those
    /// acknowledge nothing until they are online, so waiting for them would only time out.
    func connectedReplicas() async throws -> Int {
        let now = ContinuousClock.now
        if let cached = replicaCache.withLock({ $0 }), now - cached.asked < Self.replicaCountLifetime {
            return cached.replicas
        }
        let info = try await client.send(RedisCommand("INFO", "replication")).string ?? ""
        let lines = info.split(whereSeparator: \.isNewline)
        guard lines.contains(where: { $0.hasPrefix("connected_slaves:") }) else {
            throw StateError(.storeFailure, "INFO replication did not report connected_slaves")
        }
        // slave0:ip=10.0.0.2,port=6379,state=online,offset=123,lag=0
        let replicas = lines.filter { line in
            line.hasPrefix("slave") && line.split(separator: ",").contains("state=online")
        }.count
        replicaCache.withLock { $0 = ReplicaCount(replicas: replicas, asked: now) }
        return replicas
    }
}
