import Foundation

/// A stored item as a store returns it.
public struct StateItem: Sendable, Hashable {
    /// The stored key (prefixed).
    public var key: String
    /// The value's bytes, exactly as they were saved.
    public var value: [UInt8]
    /// The current ETag.
    public var etag: String
    /// When the item expires, if it has a TTL.
    public var expiresAt: Date?

    public init(key: String, value: [UInt8], etag: String, expiresAt: Date? = nil) {
        self.key = key
        self.value = value
        self.etag = etag
        self.expiresAt = expiresAt
    }
}

/// How a write without an ETag treats an existing item.
public enum Concurrency: String, Sendable, Hashable, Codable {
    /// Insert-only when no ETag is given.
    case firstWrite = "first-write"
    /// The last write wins when no ETag is given (the default).
    case lastWrite = "last-write"
}

/// How long a write waits: `strong` waits for replicas where the store has them.
public enum Consistency: String, Sendable, Hashable, Codable {
    case eventual
    case strong
}

/// One write.
public struct SetRequest: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]
    /// Write only if the stored ETag is this one.
    public var etag: String?
    public var concurrency: Concurrency
    public var consistency: Consistency
    /// Seconds until the item expires; `-1` or `nil`: never.
    public var ttlInSeconds: Int?

    public init(
        key: String, value: [UInt8], etag: String? = nil, concurrency: Concurrency = .lastWrite,
        consistency: Consistency = .eventual, ttlInSeconds: Int? = nil
    ) {
        self.key = key
        self.value = value
        self.etag = etag
        self.concurrency = concurrency
        self.consistency = consistency
        self.ttlInSeconds = ttlInSeconds
    }

    /// The TTL to apply: a positive number of seconds, or `nil` for none.
    public var expiry: Int? {
        guard let ttlInSeconds, ttlInSeconds > 0 else { return nil }
        return ttlInSeconds
    }
}

/// One delete.
public struct DeleteRequest: Sendable, Hashable {
    public var key: String
    /// Delete only if the stored ETag is this one.
    public var etag: String?
    public var consistency: Consistency

    public init(key: String, etag: String? = nil, consistency: Consistency = .eventual) {
        self.key = key
        self.etag = etag
        self.consistency = consistency
    }
}

/// One operation of a transaction.
public enum TransactionOperation: Sendable, Hashable {
    case upsert(SetRequest)
    case delete(DeleteRequest)

    public var key: String {
        switch self {
        case .upsert(let request): request.key
        case .delete(let request): request.key
        }
    }
}

/// What a bulk get read: the items found, by key, and the keys that could not be read.
///
/// As in Dapr, a key that cannot be read (a Redis key holding another type, say) does not fail
/// the others. Keys that are absent (or expired) are in neither. Keys are told apart by their
/// bytes (``UTF8Key``), as the stores tell them apart.
public struct BulkGetResult: Sendable, Hashable {
    public var items: [UTF8Key: StateItem]
    public var failures: [UTF8Key: StateError]

    public init(items: [UTF8Key: StateItem] = [:], failures: [UTF8Key: StateError] = [:]) {
        self.items = items
        self.failures = failures
    }
}

/// A page of stored keys.
public struct StateKeysPage: Sendable, Hashable {
    public var keys: [String]
    /// Pass it back to get the next page; `nil` on the last page.
    public var token: String?

    public init(keys: [String], token: String?) {
        self.keys = keys
        self.token = token
    }
}
