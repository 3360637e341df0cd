import Foundation
import Logging
import PostgresNIO
import StateStores
import TestSupport

/// The PostgreSQL server `scripts/test` started (`POSTGRES_HOST`, `POSTGRES_PORT`,
/// `POSTGRES_USER`, `POSTGRES_PASSWORD`, `POSTGRES_DATABASE`), and helpers that run a client
/// against it. Tests isolate by unique table names and drop only their own tables.
enum PostgresTestDatabase {
    static var configuration: PostgresClient.Configuration { TestPostgres.configuration() }

    static let logger = Logger(label: "postgres-state-store-tests")

    /// A table name no other test uses (`state_<32 hex digits>`).
    static func uniqueTableName(_ prefix: String = "state") -> String {
        "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
    }

    /// Runs `body` with a running client; the client stops when `body` returns.
    static func withClient<T: Sendable>(_ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Drops the given tables (names made by ``uniqueTableName(_:)``, never shared ones).
    static func drop(_ tables: [String], on client: PostgresClient) async throws {
        let list = tables.map { "\"\($0)\"" }.joined(separator: ", ")
        try await client.query("DROP TABLE IF EXISTS \(unescaped: list)", logger: logger)
    }
}

/// Runs `body` with a migrated ``PostgresStateStore`` on a fresh table (and metadata table) and
/// the client it uses; the tables are dropped afterwards. The periodic cleanup is off.
func withPostgresStateStore<T: Sendable>(_ body: @Sendable (PostgresStateStore, PostgresClient) async throws -> T) async throws -> T {
    try await PostgresTestDatabase.withStore { store, client, _ in try await body(store, client) }
}

extension PostgresTestDatabase {
    /// ``withPostgresStateStore(_:)`` that also passes the state table's name (its metadata table
    /// is `<name>_meta`).
    static func withStore<T: Sendable>(
        cleanupInterval: Duration? = nil, _ body: @Sendable (PostgresStateStore, PostgresClient, String) async throws -> T
    ) async throws -> T {
        try await withClient { client in
            let table = uniqueTableName()
            let metadataTable = table + "_meta"
            let store = PostgresStateStore(
                client: client, tableName: table, metadataTableName: metadataTable, cleanupInterval: cleanupInterval, logger: logger)
            do {
                try await store.migrate()
                let result = try await body(store, client, table)
                try await drop([table, metadataTable], on: client)
                return result
            } catch {
                try? await drop([table, metadataTable], on: client)
                throw error
            }
        }
    }
}
