import Logging
import PostgresNIO

/// One versioned schema change: statements with identifiers only, never values.
public struct PostgresMigration: Sendable {
    public var version: Int
    public var name: String
    public var statements: [PostgresQuery]

    public init(version: Int, name: String, statements: [PostgresQuery]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

/// Brings a service's schema to the latest of its ``PostgresMigration``s, then seeds it.
///
/// Safe when several replicas start at once: everything runs in one transaction holding
/// `pg_advisory_xact_lock(lockID)`, so replicas migrate one after the other and the later ones
/// find every version recorded in `<schema>.schema_migrations`. The seed runs in the same
/// transaction, after the migrations, so it can check for existing rows without racing.
///
/// ```swift
/// try await PostgresMigrator(schema: "catalog", lockID: 0x6361_7461_6C6F_6701, migrations: catalogMigrations)
///     .migrate(client: client, logger: logger) { connection in try await seedIfEmpty(connection) }
/// ```
public struct PostgresMigrator: Sendable {
    public var schema: String
    public var lockID: Int64
    public var migrations: [PostgresMigration]

    public init(schema: String, lockID: Int64, migrations: [PostgresMigration]) {
        self.schema = schema
        self.lockID = lockID
        self.migrations = migrations
    }

    /// Applies the migrations not yet recorded, then `seed`; returns the versions applied now and
    /// what `seed` returned.
    @discardableResult
    public func migrate<Seed: Sendable>(
        client: PostgresClient, logger: Logger,
        seed: @Sendable (PostgresConnection) async throws -> Seed
    ) async throws -> (appliedVersions: [Int], seed: Seed) {
        let schema = PostgresIdentifierText(schema)
        return try await client.withTransaction(logger: logger) { connection in
            _ = try await connection.query("SELECT pg_advisory_xact_lock(\(lockID))", logger: logger).collect()
            _ = try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema.quoted)", logger: logger).collect()
            _ = try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS \(unescaped: schema.quoted).schema_migrations (
                    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger
            ).collect()
            var applied: Set<Int> = []
            for try await version in try await connection.query(
                "SELECT version FROM \(unescaped: schema.quoted).schema_migrations", logger: logger
            ).decode(Int.self) {
                applied.insert(version)
            }
            var appliedNow: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
                logger.info("applying migration", metadata: ["schema": "\(self.schema)", "migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
                for statement in migration.statements {
                    _ = try await connection.query(statement, logger: logger).collect()
                }
                _ = try await connection.query(
                    "INSERT INTO \(unescaped: schema.quoted).schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger
                ).collect()
                appliedNow.append(migration.version)
            }
            return (appliedNow, try await seed(connection))
        }
    }
}

extension PostgresMigrator {
    /// ``migrate(client:logger:seed:)`` without a seed; returns the versions applied now.
    @discardableResult
    public func migrate(client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await migrate(client: client, logger: logger) { _ in }.appliedVersions
    }
}

extension PostgresClient {
    /// Runs `body` with a client of its own, of one connection, that runs only meanwhile: for
    /// start-up work (migrations) that must finish before the service's long-lived client starts.
    public static func withRunning<T: Sendable>(
        configuration: PostgresClient.Configuration, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        var configuration = configuration
        configuration.useFixedPool(size: 1)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

/// A PostgreSQL identifier, double-quoted with inner quotes doubled.
struct PostgresIdentifierText: Sendable {
    let quoted: String

    init(_ name: String) {
        quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
