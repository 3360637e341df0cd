import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL server the tests use (`POSTGRES_HOST`, `POSTGRES_PORT`, `POSTGRES_USER`,
/// `POSTGRES_PASSWORD`, `POSTGRES_DATABASE`), and throwaway databases on it: a suite creates its
/// own uniquely named database and drops only that one.
public enum TestPostgres {
    public static let logger = Logger(label: "postgres-tests")

    /// The configured server and database, or `database` on the same server.
    public static func configuration(database: String? = nil) -> PostgresClient.Configuration {
        let environment = ProcessInfo.processInfo.environment
        return PostgresClient.Configuration(
            host: environment["POSTGRES_HOST"] ?? "127.0.0.1",
            port: environment["POSTGRES_PORT"].flatMap(Int.init) ?? 5432,
            username: environment["POSTGRES_USER"] ?? "postgres",
            password: environment["POSTGRES_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 },
            database: database ?? environment["POSTGRES_DATABASE"] ?? "postgres",
            tls: .disable)
    }

    /// The `POSTGRES_*` environment that points a service at `configuration` (as
    /// `PostgresClient.Configuration(reader:)` reads it).
    public static func environment(_ configuration: PostgresClient.Configuration) -> [String: String] {
        [
            "POSTGRES_HOST": configuration.host ?? "127.0.0.1", "POSTGRES_PORT": String(configuration.port ?? 5432),
            "POSTGRES_USER": configuration.username, "POSTGRES_PASSWORD": configuration.password ?? "",
            "POSTGRES_DATABASE": configuration.database ?? "postgres",
        ]
    }

    /// Runs `body` with a running client for `configuration`; the client stops when `body` returns.
    public static func withClient<T: Sendable>(
        _ configuration: PostgresClient.Configuration, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Creates a database no other test uses (`<prefix>_<32 hex digits>`), runs `body` with its
    /// configuration, and drops it afterwards, whether `body` succeeded or not.
    public static func withDatabase<T: Sendable>(
        prefix: String = "test", _ body: @Sendable (PostgresClient.Configuration) async throws -> T
    ) async throws -> T {
        let name = "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        _ = try await withClient(configuration()) { admin in
            try await admin.query("CREATE DATABASE \(unescaped: "\"\(name)\"")", logger: logger)
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body(configuration(database: name)))
        } catch {
            result = .failure(error)
        }
        _ = try await withClient(configuration()) { admin in
            try await admin.query("DROP DATABASE IF EXISTS \(unescaped: "\"\(name)\"") WITH (FORCE)", logger: logger)
        }
        return try result.get()
    }
}
