import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import StateClient

/// A ``StateStore`` on PostgreSQL with the table layout of Dapr's `state.postgresql` v1 component,
/// so a Dapr sidecar and this store can share a table.
///
/// - Table (created by ``migrate()``): `key text PRIMARY KEY` (the stored key, `app||key`),
///   `value jsonb NOT NULL`, `isbinary boolean NOT NULL`, `insertdate timestamptz NOT NULL DEFAULT
///   now()`, `updatedate timestamptz`, `expiredate timestamptz`, `row_id bigint` identity with a
///   unique index. The metadata table (`key text PRIMARY KEY, value text NOT NULL`) holds the
///   migration level (`migrations`) and the time of the last expiry cleanup (`last-cleanup`).
///   Give every state table its own metadata table, as in Dapr.
/// - Values: JSON text is stored as `jsonb` (`isbinary = false`) and is what queries see. `jsonb`
///   normalises JSON, so a read returns *equivalent* JSON, not the same bytes (key order,
///   whitespace, duplicate keys, `1E2` → `100`, escapes), exactly as with Dapr. Bytes that are not
///   JSON are stored base64-encoded in a JSON string with `isbinary = true` and come back byte for
///   byte (`StrictJSON` decides).
/// - ETag: the row's `xmin` (the id of the transaction that last wrote it, a `uint32`) in decimal.
///   Every write changes it; rows written by one transaction share it. An ETag ``ETag/parse(_:)``
///   refuses (not a non-negative decimal integer within `Int64`) is ``StateError/Code/etagInvalid``;
///   an accepted one beyond `uint32` cannot match any row and is ``StateError/Code/etagMismatch``
///   (Dapr answers "invalid"; our rule is that an ETag valid on one store is valid on all).
/// - TTL: `expiredate = now() + ttl`; rows with `expiredate <= now()` are invisible everywhere and
///   deleted by the periodic cleanup of ``run()``.
/// - Consistency: PostgreSQL is one primary; `eventual` and `strong` behave the same.
///
/// Table names may be schema-qualified (`myschema.state`); see ``PostgresIdentifier`` for the
/// rules. An invalid name makes every operation (and ``migrate()``) fail with
/// ``StateError/Code/invalidRequest``.
public final class PostgresStateStore: StateStore, Service {
    let client: PostgresClient
    let names: Result<Tables, StateError>
    let cleanupInterval: Duration?
    let logger: Logger

    struct Tables: Sendable {
        let state: PostgresIdentifier
        let metadata: PostgresIdentifier
    }

    /// - Parameters:
    ///   - client: the pool to use; run it (it is a `Service`) before this store.
    ///   - tableName: the state table, optionally `schema.table` (Dapr's `tableName`).
    ///   - metadataTableName: the metadata table (Dapr's `metadataTableName`).
    ///   - cleanupInterval: how often ``run()`` deletes expired rows (coordinated across replicas);
    ///     `nil` or a non-positive duration disables the cleanup (Dapr's `cleanupInterval`).
    ///   - logger: where the store logs (cleanup runs and failures, migrations).
    public init(
        client: PostgresClient, tableName: String = "state", metadataTableName: String = "dapr_metadata",
        cleanupInterval: Duration? = .seconds(3600), logger: Logger
    ) {
        self.client = client
        self.names = Result { () throws(StateError) in
            Tables(state: try PostgresIdentifier(validating: tableName), metadata: try PostgresIdentifier(validating: metadataTableName))
        }
        self.cleanupInterval = cleanupInterval
        self.logger = logger
    }

    public var capabilities: StateStoreCapabilities { [.etag, .transactional, .ttl, .query, .keys] }

    /// The validated table names, or the reason they are invalid.
    var tables: Tables {
        get throws(StateError) { try names.get() }
    }

    // MARK: Service

    /// Migrates the tables, then deletes expired rows every `cleanupInterval` until graceful
    /// shutdown or cancellation. Without a cleanup interval it only waits for shutdown.
    public func run() async throws {
        try await migrate()
        guard let interval = cleanupInterval, interval > .zero else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown { [self] in
            await runCleanup(every: interval)
        }
    }

    // MARK: Reads

    /// `SELECT … WHERE key = $1 AND (expiredate IS NULL OR expiredate > now())`; binary values
    /// are decoded from base64, JSON comes back as `jsonb` renders it.
    public func get(_ key: String, consistency: Consistency) async throws -> StateItem? {
        let table = try tables.state
        guard !Self.containsNUL(key) else { return nil }  // PostgreSQL text cannot hold U+0000
        return try await mappingErrors("get") {
            let rows = try await client.tracedQuery(
                """
                SELECT key, CASE WHEN isbinary THEN value #>> '{}' ELSE value::text END, isbinary, xmin::text, expiredate
                FROM \(unescaped: table.sql)
                WHERE key = \(key) AND (expiredate IS NULL OR expiredate > now())
                """, logger: logger
            ).collect()
            return try rows.first.map(Self.item)
        }
    }

    /// One `SELECT … WHERE key = ANY($1) AND (expiredate IS NULL OR expiredate > now())`.
    /// A row that cannot be decoded is a failure of its key only.
    public func bulkGet(_ keys: [String], consistency: Consistency) async throws -> BulkGetResult {
        let table = try tables.state
        let keys = keys.filter { !Self.containsNUL($0) }
        guard !keys.isEmpty else { return BulkGetResult() }
        let rows = try await mappingErrors("bulk get") {
            try await client.tracedQuery(
                """
                SELECT key, CASE WHEN isbinary THEN value #>> '{}' ELSE value::text END, isbinary, xmin::text, expiredate
                FROM \(unescaped: table.sql)
                WHERE key = ANY(\(keys)) AND (expiredate IS NULL OR expiredate > now())
                """, logger: logger
            ).collect()
        }
        // Decoded outside the async closure: Swift 6.3.1's optimizer crashes (coroutine
        // splitting) on this loop inside it, in release builds.
        var result = BulkGetResult()
        for row in rows {
            do {
                let item = try Self.item(row)
                result.items[UTF8Key(item.key)] = item
            } catch {
                guard let key = try? row.makeRandomAccess()[0].decode(String.self, context: .default) else { throw translate(error, operation: "bulk get") }
                result.failures[UTF8Key(key)] = StateError(translate(error, operation: "bulk get"))
            }
        }
        return result
    }

    // MARK: Writes

    /// One statement: an upsert without ETag (insert-only
    /// unless the row expired, with first-write), an `UPDATE … AND xmin = $etag` with one. A key
    /// holding U+0000 is ``StateError/Code/invalidRequest`` (PostgreSQL text cannot hold it).
    public func set(_ request: SetRequest) async throws {
        let table = try tables.state
        try await mappingErrors("set") {
            try await Self.apply(.upsert(request), table: table, on: client, logger: logger)
        }
    }

    /// `DELETE … WHERE key = $1`, with an ETag `AND xmin = $2` and not expired (no row: conflict).
    public func delete(_ request: DeleteRequest) async throws {
        let table = try tables.state
        try await mappingErrors("delete") {
            try await Self.apply(.delete(request), table: table, on: client, logger: logger)
        }
    }

    /// Runs the operations in order in one database transaction; the first failure rolls all of
    /// them back and is thrown.
    public func transaction(_ operations: [TransactionOperation]) async throws {
        let table = try tables.state
        switch operations.count {
        case 0:
            return
        case 1:
            try await mappingErrors("transaction") {
                try await Self.apply(operations[0], table: table, on: client, logger: logger)
            }
        default:
            // Invalid ETags fail before the transaction starts.
            for operation in operations { _ = try Self.parseETag(operation.etag) }
            let logger = logger
            try await mappingErrors("transaction") {
                try await client.withTransaction(logger: logger) { connection in
                    for operation in operations {
                        try await Self.apply(operation, table: table, on: connection, logger: logger)
                    }
                }
            }
        }
    }

    // MARK: Keys

    /// Stored keys starting with `prefix` in byte order (`COLLATE "C"`, as ``MemoryStateStore``),
    /// after `token` (the last key of the previous page); the returned token is the page's last key
    /// when more keys follow.
    public func keys(prefix: String, limit: Int, token: String?) async throws -> StateKeysPage {
        let table = try tables.state
        guard limit >= 0 else { throw StateError(.invalidRequest, "limit must not be negative") }
        guard limit > 0, !Self.containsNUL(prefix) else { return StateKeysPage(keys: [], token: nil) }
        let pattern = Self.likePrefixPattern(prefix)
        let fetch = limit == Int.max ? limit : limit + 1
        return try await mappingErrors("keys") {
            let rows = try await client.tracedQuery(
                """
                SELECT key FROM \(unescaped: table.sql)
                WHERE key LIKE \(pattern) AND (expiredate IS NULL OR expiredate > now())
                  AND (\(token)::text IS NULL OR key COLLATE "C" > \(token))
                ORDER BY key COLLATE "C"
                LIMIT \(fetch)
                """, logger: logger
            ).collect()
            let keys = try rows.map { try $0.decode(String.self) }
            let page = Array(keys.prefix(limit))
            return StateKeysPage(keys: page, token: keys.count > limit ? page.last : nil)
        }
    }

    // MARK: Helpers

    /// A `LIKE` pattern matching strings that start with `prefix` (`\`, `%` and `_` escaped).
    static func likePrefixPattern(_ prefix: String) -> String {
        var pattern = ""
        for character in prefix {
            if character == "\\" || character == "%" || character == "_" { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern + "%"
    }

    /// Whether `text` holds U+0000, which no PostgreSQL text value can.
    static func containsNUL(_ text: String) -> Bool {
        text.utf8.contains(0)
    }

    /// Decodes `key, value text, isbinary, xmin, expiredate`.
    private static func item(_ row: PostgresRow) throws -> StateItem {
        let (key, text, isBinary, etag, expiresAt) = try row.decode((String, String, Bool, String, Date?).self)
        return StateItem(key: key, value: try value(text, isBinary: isBinary), etag: etag, expiresAt: expiresAt)
    }

    /// A stored value's bytes: JSON text as it is, binary decoded from base64.
    static func value(_ text: String, isBinary: Bool) throws(StateError) -> [UInt8] {
        guard isBinary else { return Array(text.utf8) }
        guard let data = Data(base64Encoded: text) else {
            throw StateError(.storeFailure, "PostgreSQL returned a binary value that is not base64")
        }
        return Array(data)
    }
}

extension TransactionOperation {
    fileprivate var etag: String? {
        switch self {
        case .upsert(let request): request.etag
        case .delete(let request): request.etag
        }
    }
}
