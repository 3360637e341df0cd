import Logging
import PostgresNIO
import StateClient

extension PostgresStateStore {
    /// The schema level this version creates: 1 the table, 2 `expiredate`, 3 `row_id` (Dapr's
    /// postgresql v1 migrations, in Dapr's order).
    static let migrationLevel = 3

    /// The advisory lock every ``PostgresStateStore`` migration of a database takes (one fixed id:
    /// migrations are short and rare, and one lock cannot deadlock).
    static let migrationLockID: Int64 = 0x6573_686F_7053_7431  // "eshopSt1"

    /// Creates or upgrades the metadata and state tables to ``migrationLevel``, and makes the
    /// index of ``keyOrderIndex(_:)`` if it is missing.
    ///
    /// Safe to run from several replicas at once: everything happens in one transaction holding
    /// `pg_advisory_xact_lock`, so replicas migrate one after the other and the later ones find
    /// the level already recorded (`migrations` in the metadata table). Each step is idempotent
    /// (`IF NOT EXISTS`), and a recorded level is ignored when the state table is missing (a
    /// metadata table shared by several state tables). ``run()`` calls this first.
    public func migrate() async throws {
        let tables = try tables
        let logger = logger
        try await mappingErrors("migrate") {
            try await client.withTransaction(logger: logger) { connection in
                _ = try await connection.rows("SELECT pg_advisory_xact_lock(\(Self.migrationLockID))", logger: logger)
                _ = try await connection.rows(
                    "CREATE TABLE IF NOT EXISTS \(unescaped: tables.metadata.sql) (key text NOT NULL PRIMARY KEY, value text NOT NULL)",
                    logger: logger)
                let recorded = try await connection.rows(
                    """
                    SELECT value, to_regclass(\(tables.state.sql)) IS NOT NULL
                    FROM \(unescaped: tables.metadata.sql) WHERE key = 'migrations'
                    """, logger: logger
                ).first.map { try $0.decode((String, Bool).self) }
                let current = recorded.flatMap { level, tableExists in tableExists ? Int(level) : nil } ?? 0
                if current < Self.migrationLevel {
                    logger.info(
                        "Migrating state table", metadata: ["postgres.table": "\(tables.state)", "migration.from": "\(current)", "migration.to": "\(Self.migrationLevel)"])
                    for step in (current + 1)...Self.migrationLevel {
                        for statement in Self.migrationStatements(step, table: tables.state) {
                            _ = try await connection.rows(statement, logger: logger)
                        }
                    }
                    _ = try await connection.rows(
                        """
                        INSERT INTO \(unescaped: tables.metadata.sql) (key, value) VALUES ('migrations', \(String(Self.migrationLevel)))
                        ON CONFLICT (key) DO UPDATE SET value = excluded.value
                        """, logger: logger)
                } else if current > Self.migrationLevel {
                    logger.notice("State table has a newer schema than this version knows", metadata: ["postgres.table": "\(tables.state)", "migration.level": "\(current)"])
                }
                _ = try await connection.rows(Self.keyOrderIndex(tables.state), logger: logger)
            }
        }
    }

    /// The index that key listings (``keys(prefix:limit:token:)``) scan: the keys in byte order
    /// (`COLLATE "C"`), so a prefix is a range of it, read in order. The primary key's index
    /// follows the database's collation (`C.UTF-8`, `en_US.UTF-8`), where `LIKE 'prefix%'` cannot
    /// use it: without this index every listing read the whole table. It is this project's own,
    /// not one of Dapr's numbered levels (daprd would skip a step 4 of its own if this were
    /// recorded as 4), so it is made on every start; `IF NOT EXISTS` makes that a no-op once there.
    static func keyOrderIndex(_ table: PostgresIdentifier) -> PostgresQuery {
        "CREATE INDEX IF NOT EXISTS \(unescaped: table.derivedName(suffix: "_key_c_idx")) ON \(unescaped: table.sql) (key COLLATE \"C\")"
    }

    /// The statements of one migration step (identifiers only: no values).
    private static func migrationStatements(_ step: Int, table: PostgresIdentifier) -> [PostgresQuery] {
        switch step {
        case 1:
            [
                """
                CREATE TABLE IF NOT EXISTS \(unescaped: table.sql) (
                    key text NOT NULL PRIMARY KEY,
                    value jsonb NOT NULL,
                    isbinary boolean NOT NULL,
                    insertdate timestamp with time zone NOT NULL DEFAULT now(),
                    updatedate timestamp with time zone NULL
                )
                """
            ]
        case 2:
            ["ALTER TABLE \(unescaped: table.sql) ADD COLUMN IF NOT EXISTS expiredate timestamp with time zone NULL"]
        case 3:
            [
                "ALTER TABLE \(unescaped: table.sql) ADD COLUMN IF NOT EXISTS row_id bigint GENERATED BY DEFAULT AS IDENTITY",
                "CREATE UNIQUE INDEX IF NOT EXISTS \(unescaped: table.derivedName(suffix: "_row_id_idx")) ON \(unescaped: table.sql) (row_id)",
            ]
        default:
            []
        }
    }
}
