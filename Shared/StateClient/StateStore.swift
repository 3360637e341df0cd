import Foundation

/// What a state backend implements: Dapr's state building block over stored keys.
///
/// Keys reaching a store are already prefixed (`basket-api||alice`); ``StateClient`` does the
/// prefixing, validation and encoding. Every store follows the same rules (docs/state-management.md):
///
/// - ETags are decimal integers rendered as strings; every write changes the ETag. A non-integer
///   ETag is ``StateError/Code/etagInvalid``.
/// - No ETag: last write wins — unless the concurrency is ``Concurrency/firstWrite``, which makes
///   the write insert-only (an existing key is ``StateError/Code/etagMismatch``).
/// - An ETag: the write (or delete) happens only if it matches the stored one; an ETag for a key
///   that does not exist is ``StateError/Code/etagMismatch``.
/// - TTL: `ttlInSeconds > 0` expires the item; `-1` or no TTL means it never expires (an overwrite
///   without a TTL clears the old one). Expired items are invisible everywhere.
/// - ``transaction(_:)`` is all-or-nothing; ``bulkSet(_:)`` is not (as in Dapr).
public protocol StateStore: Sendable {
    /// What this store can do; callers get ``StateError/Code/unsupported`` for the rest.
    var capabilities: StateStoreCapabilities { get }

    /// The item stored at `key`, or `nil` when there is none (or it expired).
    func get(_ key: String, consistency: Consistency) async throws -> StateItem?

    /// The items found among `keys`, and the keys that could not be read; missing keys are in
    /// neither. Throws only when the whole read failed.
    func bulkGet(_ keys: [String], consistency: Consistency) async throws -> BulkGetResult

    /// Writes one item under the rules above.
    func set(_ request: SetRequest) async throws

    /// Writes several items independently: each succeeds or fails on its own. Returns the failure
    /// of each key that failed, by its bytes (``UTF8Key``).
    func bulkSet(_ requests: [SetRequest]) async -> [UTF8Key: StateError]

    /// Deletes one item; deleting a missing key without an ETag succeeds.
    func delete(_ request: DeleteRequest) async throws

    /// Applies every operation in order, or none of them.
    func transaction(_ operations: [TransactionOperation]) async throws

    /// Items whose stored key starts with `keyPrefix` and whose JSON value matches `query`.
    func query(_ query: StateQuery, keyPrefix: String) async throws -> StateQueryResult

    /// Stored keys starting with `prefix`, in pages of at most `limit`, continuing after `token`.
    func keys(prefix: String, limit: Int, token: String?) async throws -> StateKeysPage
}

/// What a store supports, as Dapr's component features do.
public struct StateStoreCapabilities: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let etag = Self(rawValue: 1 << 0)
    public static let transactional = Self(rawValue: 1 << 1)
    public static let ttl = Self(rawValue: 1 << 2)
    public static let query = Self(rawValue: 1 << 3)
    public static let keys = Self(rawValue: 1 << 4)

    /// The capabilities Dapr's feature names stand for; names of other features are ignored.
    public init(daprFeatureNames names: [String]) {
        self = Self.daprFeatures.filter { names.contains($0.name) }.reduce(into: []) { $0.insert($1.capability) }
    }

    private static let daprFeatures: [(capability: Self, name: String)] = [
        (.etag, "ETAG"), (.transactional, "TRANSACTIONAL"), (.ttl, "TTL"), (.query, "QUERY_API"), (.keys, "KEYS_LIKE"),
    ]

    /// Dapr's feature names (`ETAG`, `TRANSACTIONAL`, `TTL`, `QUERY_API`, `KEYS_LIKE`), in that order.
    public var daprFeatureNames: [String] {
        Self.daprFeatures.filter { contains($0.capability) }.map(\.name)
    }
}

extension StateStore {
    /// Runs `set` for every request concurrently and collects the failures.
    public func bulkSet(_ requests: [SetRequest]) async -> [UTF8Key: StateError] {
        await withTaskGroup(of: (String, StateError?).self) { group in
            for request in requests {
                group.addTask {
                    do {
                        try await set(request)
                        return (request.key, nil)
                    } catch {
                        return (request.key, StateError(error))
                    }
                }
            }
            var failures: [UTF8Key: StateError] = [:]
            for await (key, error) in group { if let error { failures[UTF8Key(key)] = error } }
            return failures
        }
    }

    /// Stores without a query capability answer ``StateError/Code/unsupported``.
    public func query(_ query: StateQuery, keyPrefix: String) async throws -> StateQueryResult {
        throw StateError(.unsupported, "this state store does not support queries")
    }
}
