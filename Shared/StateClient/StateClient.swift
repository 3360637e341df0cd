import Foundation

/// The state API services use: Dapr's key/value semantics over any ``StateStore``, with key
/// prefixing, validation, and Codable values. Every call to the store is counted and timed by
/// store name, operation and result (``StateClientMetrics``).
///
/// ```swift
/// let baskets = StateClient(store: redisStore, storeName: "statestore", appID: "basket-api")
/// try await baskets.save("alice", basket, options: .init(ttlInSeconds: 2_592_000))
/// if let entry = try await baskets.get("alice", as: Basket.self) {
///     try await baskets.save("alice", updated, options: .init(etag: entry.etag))  // no lost update
/// }
/// ```
public struct StateClient: Sendable {
    public let store: any StateStore
    /// `store` with a span around every call (``TracingStateStore``): what the operations use.
    private let traced: TracingStateStore
    /// What every call records (``StateClientMetrics``).
    let metrics: StateClientMetrics
    /// The component name (`statestore`), used by the `name` prefix strategy.
    public let storeName: String
    /// The calling app's id (`basket-api`), used by the default prefix strategy.
    public let appID: String
    public let keyPrefix: KeyPrefix
    /// The TTL of saves that give none (the component's `ttlInSeconds`); `nil`: never expire.
    public let defaultTTLInSeconds: Int?

    public init(store: any StateStore, storeName: String, appID: String, keyPrefix: KeyPrefix = .appID, defaultTTLInSeconds: Int? = nil) {
        self.store = store
        self.traced = TracingStateStore(base: store, storeName: storeName)
        self.metrics = StateClientMetrics(storeName: storeName)
        self.storeName = storeName
        self.appID = appID
        self.keyPrefix = keyPrefix
        self.defaultTTLInSeconds = defaultTTLInSeconds
    }

    /// What stored keys of this client start with (`basket-api||`); empty for ``KeyPrefix/none``.
    public var storedKeyPrefix: String {
        switch keyPrefix {
        case .appID: appID + keyPrefixSeparator
        case .storeName: storeName + keyPrefixSeparator
        case .custom(let prefix): prefix + keyPrefixSeparator
        case .none: ""
        }
    }

    /// The stored form of a user key; rejects empty keys and keys containing `||`.
    public func storedKey(_ key: String) throws(StateError) -> String {
        guard !key.isEmpty else { throw StateError(.invalidRequest, "\"key\" is a required field") }
        guard !key.containsBytes(keyPrefixSeparator) else {
            throw StateError(.invalidRequest, "input key/keyPrefix '\(key)' can't contain '\(keyPrefixSeparator)'")
        }
        return storedKeyPrefix + key
    }

    /// The user key of a stored key of this client: the bytes after the prefix's (a key may begin
    /// with a combining mark, which joins the prefix's last `|` in one `Character`).
    public func userKey(_ storedKey: String) -> String {
        String(decoding: storedKey.utf8.dropFirst(storedKeyPrefix.utf8.count), as: UTF8.self)
    }

    // MARK: Reads

    /// The raw bytes stored at `key`, with ETag and expiry; `nil` when absent or expired.
    public func get(_ key: String, consistency: Consistency = .eventual) async throws -> StateEntry<[UInt8]>? {
        let stored = try storedKey(key)
        return try await measured("get") { try await traced.get(stored, consistency: consistency) }.map { entry(key, $0) }
    }

    /// The items found among `keys`, by user key (its bytes: ``UTF8Key``). Throws when any key
    /// could not be read (use ``bulkGetEach(_:consistency:)`` to get the readable ones and each failure).
    public func bulkGet(_ keys: [String], consistency: Consistency = .eventual) async throws -> [UTF8Key: StateEntry<[UInt8]>] {
        let result = try await bulkGetEach(keys, consistency: consistency)
        if let failure = result.failures.min(by: { $0.key < $1.key }) { throw failure.value }
        return result.entries
    }

    /// The items found among `keys` and the keys that could not be read, by user key (its bytes:
    /// ``UTF8Key``, so `"\u{E9}"` and `"e\u{301}"` are two keys, as in the stores); one unreadable
    /// key does not fail the others (Dapr's bulk get).
    public func bulkGetEach(
        _ keys: [String], consistency: Consistency = .eventual
    ) async throws -> (entries: [UTF8Key: StateEntry<[UInt8]>], failures: [UTF8Key: StateError]) {
        var stored: [UTF8Key: String] = [:]
        for key in keys { stored[UTF8Key(try storedKey(key))] = key }
        let found = try await measured("bulkGet") { try await traced.bulkGet(stored.keys.map(\.string), consistency: consistency) }
        var entries: [UTF8Key: StateEntry<[UInt8]>] = [:]
        for (storedKey, item) in found.items {
            if let key = stored[storedKey] { entries[UTF8Key(key)] = entry(key, item) }
        }
        var failures: [UTF8Key: StateError] = [:]
        for (storedKey, failure) in found.failures {
            if let key = stored[storedKey] { failures[UTF8Key(key)] = failure }
        }
        return (entries, failures)
    }

    // MARK: Writes

    /// Saves raw bytes at `key`.
    public func save(_ key: String, bytes: [UInt8], options: SaveOptions = .init()) async throws {
        let request = try setRequest(key, bytes, options)
        try await measured("save") { try await traced.set(request) }
    }

    /// Saves several items, each on its own (not atomic, as in Dapr); returns the failures by key.
    public func bulkSave(_ items: [(key: String, bytes: [UInt8], options: SaveOptions)]) async throws -> [UTF8Key: StateError] {
        let requests = try items.map { item throws(StateError) in try setRequest(item.key, item.bytes, item.options) }
        let failures = try await measured("bulkSave") { await traced.bulkSet(requests) }
        recordConflicts("bulkSave", failures.values)
        return Dictionary(uniqueKeysWithValues: failures.map { (UTF8Key(userKey($0.key.string)), $0.value) })
    }

    /// Deletes `key`; with an ETag only if it still matches.
    public func delete(_ key: String, etag: String? = nil, consistency: Consistency = .eventual) async throws {
        let request = try deleteRequest(key, etag: etag, consistency: consistency)
        try await measured("delete") { try await traced.delete(request) }
    }

    /// Applies the operations in order, all or nothing.
    public func transaction(_ operations: [StateOperation]) async throws {
        guard store.capabilities.contains(.transactional) else {
            throw StateError(.unsupported, "state store \(storeName) doesn't support transactions")
        }
        let translated = try operations.map { operation throws(StateError) -> TransactionOperation in
            switch operation {
            case .upsert(let key, let bytes, let options): .upsert(try setRequest(key, bytes, options))
            case .delete(let key, let etag): .delete(try deleteRequest(key, etag: etag, consistency: .eventual))
            }
        }
        guard !translated.isEmpty else { return }
        try await measured("transaction") { try await traced.transaction(translated) }
    }

    // MARK: Query and keys

    /// The items of this client matching `query` (never another app's), with user keys.
    public func query(_ query: StateQuery) async throws -> StateQueryResult {
        guard store.capabilities.contains(.query) else {
            throw StateError(.unsupported, "state store \(storeName) does not support querying")
        }
        var result = try await measured("query") { try await traced.query(query, keyPrefix: storedKeyPrefix) }
        result.items = result.items.map { StateQueryResult.Item(key: userKey($0.key), value: $0.value, etag: $0.etag) }
        return result
    }

    /// This client's keys starting with `prefix`, at most `limit` per page.
    public func keys(prefix: String = "", limit: Int = 100, token: String? = nil) async throws -> StateKeysPage {
        guard store.capabilities.contains(.keys) else {
            throw StateError(.unsupported, "state store \(storeName) does not support listing keys")
        }
        guard !prefix.containsBytes(keyPrefixSeparator) else {
            throw StateError(.invalidRequest, "input key/keyPrefix '\(prefix)' can't contain '\(keyPrefixSeparator)'")
        }
        guard (1...1_000).contains(limit) else { throw StateError(.invalidRequest, "limit must be 1…1000") }
        let storeToken = try token.map(Self.storeToken)
        var page = try await measured("keys") { try await traced.keys(prefix: storedKeyPrefix + prefix, limit: limit, token: storeToken) }
        page.keys = page.keys.map(userKey)
        page.token = page.token.map(Self.clientToken)
        return page
    }

    /// Page tokens are opaque to callers and safe in a URL: the store's token (which may hold a
    /// stored key, prefix included) in base64url without padding.
    static func clientToken(_ storeToken: String) -> String {
        Base64URL.encode(storeToken.utf8)
    }

    static func storeToken(_ clientToken: String) throws(StateError) -> String {
        guard let bytes = Base64URL.decode(clientToken), let token = String(validating: bytes, as: UTF8.self) else {
            throw StateError(.invalidRequest, "invalid page token '\(clientToken)'")
        }
        return token
    }

    /// The longest TTL, the same on every store: 100 years of 365.25 days. Longer is refused
    /// (`invalidRequest`): every expiry then stays an RFC 3339 time (a four-digit year) and within
    /// what Redis (`EXPIRE`) and PostgreSQL (`timestamptz`) can hold; an item meant to outlive it
    /// takes `-1`.
    public static let maximumTTLInSeconds = 3_155_760_000

    // MARK: Helpers

    private func entry(_ key: String, _ item: StateItem) -> StateEntry<[UInt8]> {
        StateEntry(key: key, value: item.value, etag: item.etag, expiresAt: item.expiresAt)
    }

    private func setRequest(_ key: String, _ bytes: [UInt8], _ options: SaveOptions) throws(StateError) -> SetRequest {
        let ttlInSeconds = options.ttlInSeconds ?? defaultTTLInSeconds
        if let ttl = ttlInSeconds, ttl != -1, !(1...Self.maximumTTLInSeconds).contains(ttl) {
            throw StateError(
                .invalidRequest, "ttlInSeconds must be -1 (never expire) or 1…\(Self.maximumTTLInSeconds) seconds (100 years), not \(ttl)")
        }
        if let etag = options.etag, !etag.isEmpty { _ = try ETag.parse(etag) }
        return SetRequest(
            key: try storedKey(key), value: bytes, etag: options.etag.flatMap { $0.isEmpty ? nil : $0 },
            concurrency: options.concurrency, consistency: options.consistency, ttlInSeconds: ttlInSeconds)
    }

    private func deleteRequest(_ key: String, etag: String?, consistency: Consistency) throws(StateError) -> DeleteRequest {
        let etag = etag.flatMap { $0.isEmpty ? nil : $0 }
        if let etag { _ = try ETag.parse(etag) }
        return DeleteRequest(key: try storedKey(key), etag: etag, consistency: consistency)
    }
}

/// An item as ``StateClient`` returns it.
public struct StateEntry<Value: Sendable>: Sendable {
    /// The user key (without prefix).
    public var key: String
    public var value: Value
    public var etag: String
    /// When the item expires (Dapr's `ttlExpireTime`), if it has a TTL.
    public var expiresAt: Date?
}

extension StateEntry: Equatable where Value: Equatable {}

/// How to save an item.
public struct SaveOptions: Sendable, Hashable {
    /// Save only if the stored ETag is this one (optimistic concurrency).
    public var etag: String?
    public var concurrency: Concurrency
    public var consistency: Consistency
    /// Seconds until the item expires; `-1` or `nil`: never (an overwrite clears an earlier TTL).
    public var ttlInSeconds: Int?

    public init(etag: String? = nil, concurrency: Concurrency = .lastWrite, consistency: Consistency = .eventual, ttlInSeconds: Int? = nil) {
        self.etag = etag
        self.concurrency = concurrency
        self.consistency = consistency
        self.ttlInSeconds = ttlInSeconds
    }
}

/// One operation of ``StateClient/transaction(_:)``.
public enum StateOperation: Sendable, Hashable {
    case upsert(key: String, bytes: [UInt8], options: SaveOptions = .init())
    case delete(key: String, etag: String? = nil)
}
