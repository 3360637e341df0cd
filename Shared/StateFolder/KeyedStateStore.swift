import Foundation
import GRDB
import Logging

/// Keyed stream state in SQLite (GRDB), one database per `<state>/<group>/<store>/<stream>/`,
/// after Quix Streams' RocksDB stores.
///
/// Values are JSON, keyed by (message key, state key). Changes are made in
/// ``checkpoint(through:_:)``: one SQLite transaction holding the changes of a batch of stream
/// entries **and** the id of the last entry processed, so after a crash the state is exactly the
/// committed prefix of the stream. The database runs in WAL mode with `synchronous=FULL`: a
/// committed checkpoint survives a power cut.
///
/// The store holds the folder's ``FolderLock`` while open: one owner per store among replicas.
public final class KeyedStateStore: Sendable {
    static let fileName = "state.sqlite"

    public let folder: URL
    private let database: DatabasePool
    private let lock: FolderLock
    private let quota: StateQuota

    /// Takes the store's lock (waiting as `lockPolicy` says) and opens its database.
    public static func open(
        _ stateFolder: StateFolder, store: String, stream: String, lockPolicy: FolderLock.WaitPolicy = .init(), logger: Logger
    ) async throws -> KeyedStateStore {
        let folder = stateFolder.storeFolder(store: store, stream: stream)
        let lock = try await FolderLock.acquire(folder, policy: lockPolicy, logger: logger)
        let store = try KeyedStateStore(folder: folder, lock: lock, quota: stateFolder.quota)
        try await store.database.write { db in try createSchema(db) }
        return store
    }

    private init(folder: URL, lock: FolderLock, quota: StateQuota) throws {
        self.folder = folder
        self.lock = lock
        self.quota = quota
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        database = try DatabasePool(path: folder.appendingPathComponent(Self.fileName).path, configuration: configuration)
    }

    static func createSchema(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS state (prefix TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (prefix, key)) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS stream_offset (stream TEXT PRIMARY KEY NOT NULL, entry_id TEXT NOT NULL);
                """)
    }

    /// Closes the database and frees the lock.
    public func close() throws {
        try database.close()
        lock.release()
    }

    /// The id of the last stream entry whose changes are committed; `nil` before the first checkpoint.
    public func lastProcessedEntryID() async throws -> StreamEntryID? {
        try await database.read { db in
            try String.fetchOne(db, sql: "SELECT entry_id FROM stream_offset WHERE stream = 'source'").flatMap(StreamEntryID.init)
        }
    }

    /// Runs `body` in one SQLite transaction and records `lastEntryID` as processed in it; the
    /// transaction commits only if `body` returns, and only if the quota allows what it wrote.
    /// Runs on GRDB's writer queue, never on an event loop.
    public func checkpoint<Result: Sendable>(
        through lastEntryID: StreamEntryID, _ body: @escaping @Sendable (StateTransaction) throws -> Result
    ) async throws -> Result {
        let quota = self.quota
        return try await StateFolderMetrics.measureCommit(of: folder) {
            try await database.write { db in
                let transaction = try StateTransaction(db)
                let result = try body(transaction)
                try db.execute(
                    sql: "INSERT INTO stream_offset (stream, entry_id) VALUES ('source', ?) ON CONFLICT(stream) DO UPDATE SET entry_id = excluded.entry_id",
                    arguments: [lastEntryID.description])
                try quota.check(adding: transaction.bytesWritten, for: "a keyed-state checkpoint")
                return result
            }
        }
    }

    /// Runs `body` in one SQLite transaction that records no stream position: for state a store
    /// keeps from another source than its stream (the model worker's catalog index is synced
    /// from Catalog's API at start). Commits only if `body` returns and the quota allows what it
    /// wrote. Runs on GRDB's writer queue, never on an event loop.
    public func update<Result: Sendable>(_ body: @escaping @Sendable (StateTransaction) throws -> Result) async throws -> Result {
        let quota = self.quota
        return try await StateFolderMetrics.measureCommit(of: folder) {
            try await database.write { db in
                let transaction = try StateTransaction(db)
                let result = try body(transaction)
                try quota.check(adding: transaction.bytesWritten, for: "a keyed-state update")
                return result
            }
        }
    }

    /// Every committed value whose state key starts with `stateKeyPrefix`, across all message
    /// keys, as `(message key, state key, value)`: to load a whole store into memory at start.
    public func values(withStateKeyPrefix stateKeyPrefix: String) async throws -> [(messageKey: String, stateKey: String, value: Data)] {
        try await database.read { db in
            var values: [(messageKey: String, stateKey: String, value: Data)] = []
            // substr, not LIKE: the prefix is matched as it is, `%` and `_` included.
            let rows = try Row.fetchCursor(
                db, sql: "SELECT prefix, key, value FROM state WHERE substr(key, 1, length(?)) = ?", arguments: [stateKeyPrefix, stateKeyPrefix])
            while let row = try rows.next() { values.append((row["prefix"], row["key"], row["value"])) }
            return values
        }
    }

    /// The committed values of `messageKey`, for queries outside processing (Quix has none; ours
    /// serve the recommendations API).
    public func values(of messageKey: String) async throws -> [String: Data] {
        try await Self.values(of: messageKey, in: database)
    }

    static func values(of messageKey: String, in reader: some DatabaseReader) async throws -> [String: Data] {
        try await reader.read { db in
            var values: [String: Data] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT key, value FROM state WHERE prefix = ?", arguments: [messageKey])
            while let row = try rows.next() {
                let key: String = row["key"]
                let value: Data = row["value"]
                values[key] = value
            }
            return values
        }
    }
}

/// Read-only access to a store another replica may own: for serving queries from every replica.
public struct KeyedStateReader: Sendable {
    public let databaseURL: URL

    public init(_ stateFolder: StateFolder, store: String, stream: String) {
        databaseURL = stateFolder.storeFolder(store: store, stream: stream).appendingPathComponent(KeyedStateStore.fileName)
    }

    /// The committed values of `messageKey`; empty while the store has no database yet.
    public func values(of messageKey: String) async throws -> [String: Data] {
        guard FileManager.default.fileExists(atPath: databaseURL.path) else { return [:] }
        let queue = try DatabaseQueue(path: databaseURL.path)  // only reads; WAL lets it read while the owner writes
        defer { try? queue.close() }
        return try await KeyedStateStore.values(of: messageKey, in: queue)
    }
}
