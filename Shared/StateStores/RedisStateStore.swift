import Foundation
import Logging
import RedisClient
import StateClient
import Synchronization

/// A ``StateStore`` on Redis, in Dapr's layout: each item is a hash at its stored key
/// (`basket-api||alice`) with fields `data` (the value bytes, exactly as given) and `version`
/// (the ETag: a decimal integer; a key's first write, and its first write after a delete, sets it
/// to the server's clock in microseconds, and every later write adds 1). Items a Dapr sidecar
/// wrote are read as they are, and Dapr reads ours.
///
/// ```swift
/// let store = RedisStateStore(client: redis, logger: logger)   // `redis` runs in the ServiceGroup
/// let baskets = StateClient(store: store, storeName: "statestore", appID: "basket-api")
/// ```
///
/// Every write — `set`, `delete`, `transaction` — is one Lua script that checks the ETag and
/// first-write conditions and then writes value, version and TTL together, so a write is atomic
/// and a transaction is all-or-nothing (unlike Dapr's, which applies what it can). Reads use one
/// script for any number of keys and report the expiry (Redis 7 `PEXPIRETIME`). `keys` pages with
/// `SCAN`, never `KEYS`. See ``RedisStateStore/readScript`` and ``RedisStateStore/applyScript``.
///
/// Differences from Dapr worth knowing: a `first-write` marker Dapr left on an item does not block
/// later writes without an ETag (ours is per request), and an item written anew after a delete
/// starts at the server's clock in microseconds, not at 1 as in Dapr, so an ETag read before the
/// delete does not match the new item. Needs Redis 7 or later.
public final class RedisStateStore: StateStore {
    let client: RedisClient
    let logger: Logger
    /// The last `INFO replication` answer, for `strong` writes (see `RedisStateStore+Consistency`).
    let replicaCache = Mutex<ReplicaCount?>(nil)

    /// - Parameters:
    ///   - client: a running ``RedisClient`` (the caller runs it, e.g. in a `ServiceGroup`).
    ///   - logger: for the store's own events (replication waits); errors are thrown, not logged.
    public init(client: RedisClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// ETags, all-or-nothing transactions, TTL and key listing; no query API (that needs
    /// RediSearch in Dapr), so ``query(_:keyPrefix:)`` throws ``StateError/Code/unsupported``.
    public var capabilities: StateStoreCapabilities { [.etag, .transactional, .ttl, .keys] }

    // MARK: Reads

    /// The item at `key`, read atomically with its version and expiry; `nil` when absent or
    /// expired. A hash without `data` or `version`, or a key that is not a hash, is
    /// ``StateError/Code/storeFailure``.
    public func get(_ key: String, consistency: Consistency) async throws -> StateItem? {
        let result = try await bulkGet([key], consistency: consistency)
        if let failure = result.failures[UTF8Key(key)] { throw failure }
        return result.items[UTF8Key(key)]
    }

    /// The items among `keys`, read in one round trip (one script call).
    /// A key that is not one of our hashes (another type, or a hash without `data` and
    /// `version`) is a failure of that key only.
    public func bulkGet(_ keys: [String], consistency: Consistency) async throws -> BulkGetResult {
        guard !keys.isEmpty else { return BulkGetResult() }
        let reply = try await perform { try await client.eval(Self.readScript, keys: keys) }
        guard let elements = reply.array, elements.count == keys.count else {
            throw StateError(.storeFailure, "unexpected reply to the read script: \(reply)")
        }
        var result = BulkGetResult()
        for (key, element) in zip(keys, elements) {
            do {
                if let item = try Self.item(key, from: element) { result.items[UTF8Key(key)] = item }
            } catch {
                result.failures[UTF8Key(key)] = error
            }
        }
        return result
    }

    /// One element of ``readScript``'s reply as an item.
    private static func item(_ key: String, from element: RESPValue) throws(StateError) -> StateItem? {
        if element.int == 0 { return nil }
        if let type = element.string {
            throw StateError(.storeFailure, "WRONGTYPE the value at \(key) is a Redis \(type), not a state hash")
        }
        guard let fields = element.array, fields.count == 3, let expiry = fields[2].int else {
            throw StateError(.storeFailure, "unexpected reply to the read script for key \(key)")
        }
        guard let data = fields[0].bytes, let version = fields[1].string else {
            throw StateError(.storeFailure, "required hash field 'data' or 'version' was not found for key \(key)")
        }
        guard let number = Int64(version), number >= 0, String(number) == version else {
            throw StateError(.storeFailure, "hash field 'version' of key \(key) is not an integer")
        }
        let expiresAt = expiry >= 0 ? Date(timeIntervalSince1970: Double(expiry) / 1_000) : nil
        return StateItem(key: key, value: data, etag: version, expiresAt: expiresAt)
    }

    // MARK: Writes

    /// Writes one item atomically: ETag / first-write check, value, version and TTL in one script.
    public func set(_ request: SetRequest) async throws {
        try await transaction([.upsert(request)])
    }

    /// Deletes one item; with an ETag only if it matches (an absent key is a mismatch then).
    public func delete(_ request: DeleteRequest) async throws {
        try await transaction([.delete(request)])
    }

    /// Applies every operation in order in one script, or none of them: all ETag and first-write
    /// checks run before the first write. An empty list does nothing (and sends nothing). When any
    /// operation asks for `strong` consistency, waits for the replicas afterwards.
    public func transaction(_ operations: [TransactionOperation]) async throws {
        guard !operations.isEmpty else { return }
        var arguments: [any RedisArgumentConvertible] = []
        arguments.reserveCapacity(operations.count * 5)
        var strong = false
        for operation in operations {
            switch operation {
            case .upsert(let request):
                if let etag = request.etag { _ = try ETag.parse(etag) }
                let ttl = request.expiry ?? 0
                // The state client's rule, checked again here before a script could fail halfway.
                guard ttl <= StateClient.maximumTTLInSeconds else {
                    throw StateError(.invalidRequest, "ttlInSeconds must be at most \(StateClient.maximumTTLInSeconds) seconds (100 years)")
                }
                arguments += ["set", request.etag ?? "", request.concurrency == .firstWrite ? "1" : "0", ttl, request.value]
                strong = strong || request.consistency == .strong
            case .delete(let request):
                if let etag = request.etag { _ = try ETag.parse(etag) }
                arguments += ["del", request.etag ?? "", "0", 0, ""]
                strong = strong || request.consistency == .strong
            }
        }
        let keys = operations.map(\.key)
        try await perform {
            if strong {
                _ = try await evalAndWait(Self.applyScript, keys: keys, arguments: arguments)
            } else {
                _ = try await client.eval(Self.applyScript, keys: keys, arguments: arguments)
            }
        }
    }

    // MARK: Errors

    /// Runs `body`, turning any error into a ``StateError``.
    func perform<Result: Sendable>(_ body: () async throws -> Result) async throws(StateError) -> Result {
        do {
            return try await body()
        } catch {
            throw Self.stateError(error)
        }
    }

    /// How Redis failures surface: transient connection trouble is ``StateError/Code/unavailable``,
    /// a conflict reported by ``applyScript`` is ``StateError/Code/etagMismatch``, anything else
    /// ``StateError/Code/storeFailure``.
    static func stateError(_ error: any Error) -> StateError {
        switch error {
        case let error as StateError:
            return error
        case let error as RedisError where error.isTransient:
            return StateError(.unavailable, "Redis is unavailable: \(error)")
        case let error as RedisError where error.serverErrorPrefix.map({ $0 == conflictPrefix }) ?? false:
            return StateError(.etagMismatch, String(error.message.dropFirst(conflictPrefix.count + 1)))
        default:
            return StateError(.storeFailure, "\(error)")
        }
    }
}
