import Foundation
import Synchronization

/// The reference state store: every rule of the state API, exactly, in memory. For unit tests,
/// demos and the `state.in-memory` component; its contents vanish with the process.
public final class MemoryStateStore: StateStore {
    private struct Entry {
        var value: [UInt8]
        var version: Int64
        var expiresAt: Date?
    }

    private struct Contents {
        /// By the key's bytes, as Redis and PostgreSQL keep keys (``UTF8Key``).
        var entries: [UTF8Key: Entry] = [:]
        /// One counter for the whole store, so a deleted and re-created key never gets an old ETag back.
        var lastVersion: Int64 = 0
    }

    private let contents = Mutex(Contents())
    private let now: @Sendable () -> Date

    /// - Parameter now: the clock that decides expiry (the system clock by default).
    public init(now: @escaping @Sendable () -> Date = Date.init) {
        self.now = now
    }

    public var capabilities: StateStoreCapabilities { [.etag, .transactional, .ttl, .query, .keys] }

    public func get(_ key: String, consistency: Consistency) async throws -> StateItem? {
        let moment = now()
        return contents.withLock { $0.entries[UTF8Key(key)].flatMap { Self.item(key, $0, at: moment) } }
    }

    public func bulkGet(_ keys: [String], consistency: Consistency) async throws -> BulkGetResult {
        let moment = now()
        return contents.withLock { contents in
            var found: [UTF8Key: StateItem] = [:]
            for key in keys.map({ UTF8Key($0) }) {
                if let item = contents.entries[key].flatMap({ Self.item(key.string, $0, at: moment) }) { found[key] = item }
            }
            return BulkGetResult(items: found)
        }
    }

    public func set(_ request: SetRequest) async throws {
        try await transaction([.upsert(request)])
    }

    public func delete(_ request: DeleteRequest) async throws {
        try await transaction([.delete(request)])
    }

    public func transaction(_ operations: [TransactionOperation]) async throws {
        let moment = now()
        try contents.withLock { contents throws(StateError) in
            var working = contents
            for operation in operations {
                try Self.apply(operation, to: &working, at: moment)
            }
            contents = working
        }
    }

    public func query(_ query: StateQuery, keyPrefix: String) async throws -> StateQueryResult {
        let moment = now()
        let candidates = contents.withLock { contents in
            contents.entries.compactMap { key, entry -> (key: String, document: JSONValue, item: StateQueryResult.Item)? in
                let key = key.string
                guard key.hasBytePrefix(keyPrefix), let item = Self.item(key, entry, at: moment),
                    let document = JSONValue(json: item.value)
                else { return nil }
                return (key, document, StateQueryResult.Item(key: key, value: item.value, etag: item.etag))
            }
        }
        return try query.evaluate(candidates)
    }

    /// Keys in byte order; the token is the last key of the previous page.
    public func keys(prefix: String, limit: Int, token: String?) async throws -> StateKeysPage {
        let moment = now()
        let all = contents.withLock { contents in
            contents.entries.filter { $0.key.string.hasBytePrefix(prefix) && Self.item($0.key.string, $0.value, at: moment) != nil }.keys
        }
        let sorted = all.sorted()
        let after = token.map { token in sorted.drop { !(UTF8Key(token) < $0) } } ?? sorted[...]
        let page = after.prefix(limit).map(\.string)
        return StateKeysPage(keys: page, token: after.count > page.count ? page.last : nil)
    }

    // MARK: Rules

    private static func item(_ key: String, _ entry: Entry, at moment: Date) -> StateItem? {
        if let expiresAt = entry.expiresAt, expiresAt <= moment { return nil }
        return StateItem(key: key, value: entry.value, etag: String(entry.version), expiresAt: entry.expiresAt)
    }

    private static func apply(_ operation: TransactionOperation, to contents: inout Contents, at moment: Date) throws(StateError) {
        let key = operation.key
        let current = contents.entries[UTF8Key(key)].flatMap { item(key, $0, at: moment) }
        switch operation {
        case .upsert(let request):
            try check(etag: request.etag, against: current, key: key)
            if request.etag == nil, request.concurrency == .firstWrite, current != nil {
                throw StateError(.etagMismatch, "first-write: key \(key) already exists")
            }
            contents.lastVersion += 1
            contents.entries[UTF8Key(key)] = Entry(
                value: request.value, version: contents.lastVersion,
                expiresAt: request.expiry.map { moment.addingTimeInterval(TimeInterval($0)) })
        case .delete(let request):
            try check(etag: request.etag, against: current, key: key)
            contents.entries[UTF8Key(key)] = nil
        }
    }

    private static func check(etag: String?, against current: StateItem?, key: String) throws(StateError) {
        guard let etag else { return }
        _ = try ETag.parse(etag)
        guard let current, current.etag == etag else {
            throw StateError(.etagMismatch, "possible etag mismatch for key \(key)")
        }
    }
}
