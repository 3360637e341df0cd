import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import StateClient
import TestSupport
import Testing

@testable import StateStores

@Suite(.timeLimit(.minutes(1))) struct ComponentStoreTests {
    private func component(_ type: String, _ metadata: [String: String]) -> StateComponent {
        StateComponent(name: "statestore", type: type, metadata: metadata, file: "statestore.yaml")
    }

    /// Runs the component's services while `body` uses a client of it.
    private func withRunning(_ store: ComponentStore, _ body: @Sendable (StateClient) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in store.services { group.addTask { try await service.run() } }
            defer { group.cancelAll() }
            try await body(store.client(appID: "component-\(UUID().uuidString.prefix(8))"))
        }
    }

    @Test(.redisReachable) func buildsARedisStoreFromDaprMetadata() async throws {
        let environment = ProcessInfo.processInfo.environment
        let store = try ComponentStore(component: component("state.redis", [
            "redisHost": "\(environment["REDIS_HOST"] ?? "127.0.0.1"):\(environment["REDIS_PORT"] ?? "6379")",
            "redisPassword": environment["REDIS_PASSWORD"] ?? "", "ttlInSeconds": "3600",
        ]), logger: Logger(label: "test"))
        #expect(!store.store.capabilities.contains(.query))
        try await withRunning(store) { state in
            try await state.save("k", bytes: Array("1".utf8))
            #expect(try await state.get("k")?.expiresAt != nil)  // the component's default TTL
        }
    }

    @Test(.postgresReachable) func buildsAPostgreSQLStoreFromAConnectionString() async throws {
        let environment = ProcessInfo.processInfo.environment
        let table = "state_component_\(UUID().uuidString.prefix(8).lowercased())"
        let connection = "host=\(environment["POSTGRES_HOST"] ?? "127.0.0.1") port=\(environment["POSTGRES_PORT"] ?? "5432") "
            + "user=\(environment["POSTGRES_USER"] ?? "postgres") password=\(environment["POSTGRES_PASSWORD"] ?? "") "
            + "database=\(environment["POSTGRES_DATABASE"] ?? "eshop_test") connect_timeout=10"
        let store = try ComponentStore(component: component("state.postgresql", [
            "connectionString": connection, "tableName": table, "cleanupInterval": "0", "keyPrefix": "name",
        ]), logger: Logger(label: "test"))
        #expect(store.store.capabilities.contains(.query))
        try await withRunning(store) { state in
            #expect(state.storedKeyPrefix == "statestore||")
            try await eventuallySaves(state)
            #expect(try await state.query(StateQuery(filter: .eq("n", .number(1)))).items.map(\.key) == ["k"])
            try await dropTable(table, through: state)
        }
    }

    /// The store migrates its table in `run()`; a save succeeds once it has.
    private func eventuallySaves(_ state: StateClient) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                try await state.save("k", bytes: Array(#"{"n":1}"#.utf8))
                return
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    private func dropTable(_ table: String, through state: StateClient) async throws {
        guard let store = (state.store as? ResilientStateStore)?.base as? PostgresStateStore else { return }
        _ = try await store.client.query("DROP TABLE IF EXISTS \(unescaped: table)").collect()
    }

    @Test func parsesBothFormsOfPostgreSQLConnectionStrings() {
        #expect(PostgresConnectionString("host=db port=5433 user=app password='p w' dbname=shop sslmode=disable")
            == PostgresConnectionString(host: "db", port: 5433, user: "app", password: "p w", database: "shop"))
        #expect(PostgresConnectionString("postgres://app:p%40ss@db:5433/shop?sslmode=disable")
            == PostgresConnectionString(host: "db", port: 5433, user: "app", password: "p@ss", database: "shop"))
        #expect(PostgresConnectionString("host=db port=abc") == nil)
    }

    /// A fixed pool without keep-alive (``PostgresClient/Configuration/useFixedPool(size:)``), of
    /// Dapr's `maxConns` connections; 0, less or none is the default size.
    @Test func sizesThePostgreSQLPoolFromMaxConns() throws {
        func options(_ metadata: [String: String]) throws -> PostgresClient.Configuration.Options {
            try ComponentStore.postgresConfiguration(component("state.postgresql", metadata.merging(["connectionString": "host=db"]) { $1 })).options
        }
        for (maxConns, size) in [("7", 7), ("0", PostgresClient.Configuration.defaultPoolSize), ("-1", PostgresClient.Configuration.defaultPoolSize)] {
            let pool = try options(["maxConns": maxConns])
            #expect(pool.minimumConnections == size && pool.maximumConnections == size && pool.keepAliveBehavior == nil)
        }
        #expect(try options([:]).maximumConnections == 4)
        #expect(try options([:]).minimumConnections == 4)
    }

    @Test(arguments: [
        ("state.postgresql", ["connectionString": "host=db", "maxConns": "many"], "statestore.yaml: spec.metadata maxConns is 'many', expected an integer"),
        ("state.redis", ["redisHost": "localhost:notaport"], "statestore.yaml: spec.metadata redisHost is 'localhost:notaport', expected host:port"),
        ("state.redis", [:], "statestore.yaml: spec.metadata redisHost is required for state.redis"),
        ("state.redis", ["redisHost": "localhost:6379", "enableTLS": "true"], "statestore.yaml: spec.metadata enableTLS TLS to Redis is not supported by this project's Redis client"),
        ("state.postgresql", [:], "statestore.yaml: spec.metadata connectionString is required for state.postgresql"),
        ("state.in-memory", ["ttlInSeconds": "soon"], "statestore.yaml: spec.metadata ttlInSeconds is 'soon', expected an integer"),
    ])
    func explainsBadMetadata(type: String, metadata: [String: String], message: String) {
        #expect { _ = try ComponentStore(component: component(type, metadata), logger: Logger(label: "test")) } throws: { error in
            "\(error)" == message
        }
    }
}
