import Foundation
import Logging
import PostgresNIO
import StateClient

/// Runs statements on a pool (one statement, one round trip) or on the connection of an open
/// transaction.
protocol PostgresStatementRunner {
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow]
}

extension PostgresClient: PostgresStatementRunner {
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await tracedQuery(query, logger: logger).collect()
    }
}

extension PostgresConnection: PostgresStatementRunner {
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await tracedQuery(query, logger: logger).collect()
    }
}

extension PostgresStateStore {
    /// Applies one write with a single statement; a statement that affects no row is a conflict.
    ///
    /// - set, no ETag: `INSERT … ON CONFLICT (key) DO UPDATE`; with first-write the update only
    ///   replaces an expired row.
    /// - set, ETag: `UPDATE … WHERE key AND xmin AND not expired`.
    /// - delete: `DELETE … WHERE key [AND xmin AND not expired]`.
    static func apply(
        _ operation: TransactionOperation, table: PostgresIdentifier, on runner: some PostgresStatementRunner, logger: Logger
    ) async throws {
        if containsNUL(operation.key) {
            guard case .delete(let request) = operation else {
                throw StateError(.invalidRequest, "keys cannot contain the character U+0000 on PostgreSQL")
            }
            // No such key can exist: deleting it is a no-op, or a conflict with an ETag.
            if try parseETag(request.etag) != nil { throw StateError(.etagMismatch, "possible etag mismatch for key \(request.key)") }
            return
        }
        switch operation {
        case .upsert(let request):
            let etag = try parseETag(request.etag)
            let (json, isBinary) = storedValue(request.value)
            let expiry = request.expiry
            let query: PostgresQuery
            switch etag {
            case .some(nil):
                throw StateError(.etagMismatch, "possible etag mismatch for key \(request.key)")
            case .some(let xmin?):
                query = """
                    UPDATE \(unescaped: table.sql)
                    SET value = \(json)::jsonb, isbinary = \(isBinary), updatedate = now(),
                        expiredate = now() + make_interval(secs => \(expiry)::float8)
                    WHERE key = \(request.key) AND xmin = \(String(xmin))::text::xid
                      AND (expiredate IS NULL OR expiredate > now())
                    RETURNING key
                    """
            case nil where request.concurrency == .firstWrite:
                query = """
                    INSERT INTO \(unescaped: table.sql) AS t (key, value, isbinary, expiredate)
                    VALUES (\(request.key), \(json)::jsonb, \(isBinary), now() + make_interval(secs => \(expiry)::float8))
                    ON CONFLICT (key) DO UPDATE
                    SET value = excluded.value, isbinary = excluded.isbinary, updatedate = now(), expiredate = excluded.expiredate
                    WHERE t.expiredate IS NOT NULL AND t.expiredate <= now()
                    RETURNING key
                    """
            case nil:
                query = """
                    INSERT INTO \(unescaped: table.sql) AS t (key, value, isbinary, expiredate)
                    VALUES (\(request.key), \(json)::jsonb, \(isBinary), now() + make_interval(secs => \(expiry)::float8))
                    ON CONFLICT (key) DO UPDATE
                    SET value = excluded.value, isbinary = excluded.isbinary, updatedate = now(), expiredate = excluded.expiredate
                    RETURNING key
                    """
            }
            guard try await !runner.rows(query, logger: logger).isEmpty else {
                throw etag == nil
                    ? StateError(.etagMismatch, "first-write: key \(request.key) already exists")
                    : StateError(.etagMismatch, "possible etag mismatch for key \(request.key)")
            }
        case .delete(let request):
            switch try parseETag(request.etag) {
            case nil:
                _ = try await runner.rows("DELETE FROM \(unescaped: table.sql) WHERE key = \(request.key)", logger: logger)
            case .some(nil):
                throw StateError(.etagMismatch, "possible etag mismatch for key \(request.key)")
            case .some(let xmin?):
                let query: PostgresQuery = """
                    DELETE FROM \(unescaped: table.sql)
                    WHERE key = \(request.key) AND xmin = \(String(xmin))::text::xid
                      AND (expiredate IS NULL OR expiredate > now())
                    RETURNING key
                    """
                guard try await !runner.rows(query, logger: logger).isEmpty else {
                    throw StateError(.etagMismatch, "possible etag mismatch for key \(request.key)")
                }
            }
        }
    }

    /// `nil` without an ETag; `.some(nil)` for an integer ETag no `xmin` can have (beyond
    /// `uint32`); ``StateError/Code/etagInvalid`` for one that is not an integer.
    static func parseETag(_ etag: String?) throws(StateError) -> UInt32?? {
        guard let etag else { return nil }
        return .some(UInt32(exactly: try ETag.parse(etag)))
    }

    /// The `jsonb` text of a value and whether it is binary (base64 in a JSON string).
    static func storedValue(_ bytes: [UInt8]) -> (json: String, isBinary: Bool) {
        if let json = StrictJSON.text(bytes, .postgresJSONB) { return (json, false) }
        return ("\"\(Data(bytes).base64EncodedString())\"", true)
    }
}
