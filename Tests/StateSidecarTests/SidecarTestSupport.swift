import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import StateClient
import Testing

@testable import StateSidecar
@testable import StateStores

/// A test client of a sidecar whose one store is named `statestore`.
struct Sidecar: Sendable {
    let client: any TestClientProtocol

    /// Sends a request; `body` is sent as given.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// `POST /v1.0/state/statestore` with `items` (a JSON array text).
    @discardableResult
    func save(_ items: String, query: String = "") async throws -> TestResponse {
        try await send(.post, "/v1.0/state/statestore" + query, items)
    }

    /// `GET /v1.0/state/statestore/<encodedKey>`.
    func get(_ encodedKey: String) async throws -> TestResponse {
        try await send(.get, "/v1.0/state/statestore/\(encodedKey)")
    }

    /// The ETag `key` has now (it must exist).
    func etag(_ encodedKey: String) async throws -> String {
        let response = try await get(encodedKey)
        try #require(response.status == .ok)
        return try #require(response.headers[.eTag])
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    /// The body parsed as JSON.
    var json: JSONValue? { JSONValue(json: Array(buffer: body)) }
    /// The `errorCode` of a Dapr error body.
    var errorCode: String? {
        guard case .object(let fields)? = json, case .string(let code)? = fields["errorCode"] else { return nil }
        return code
    }
    var message: String? {
        guard case .object(let fields)? = json, case .string(let message)? = fields["message"] else { return nil }
        return message
    }
    /// The `details` of a rich Dapr error body, each a JSON object.
    var details: [JSONValue] {
        guard case .object(let fields)? = json, case .array(let details)? = fields["details"] else { return [] }
        return details
    }
    /// The `reason` of the `ErrorInfo` among ``details``.
    var reason: String? {
        details.compactMap { detail -> String? in
            guard detail.value(at: "@type") == .string("type.googleapis.com/google.rpc.ErrorInfo"), case .string(let reason)? = detail.value(at: "reason") else { return nil }
            return reason
        }.first
    }
}

/// JSON text parsed, for comparing values regardless of spacing and key order.
func json(_ text: String) -> JSONValue? { JSONValue(json: Array(text.utf8)) }

/// A unique app id, so tests sharing a store never see each other's keys.
func uniqueAppID() -> String { "sidecar-test-\(UUID().uuidString.prefix(8).lowercased())" }

/// Runs `body` against an in-process sidecar over `stores` (by component name).
func withSidecar(
    _ stores: [String: any StateStore] = ["statestore": MemoryStateStore()], appID: String = uniqueAppID(),
    maxBodyBytes: Int = 4 * 1024 * 1024, _ body: @escaping @Sendable (Sidecar) async throws -> Void
) async throws {
    var clients: [String: StateClient] = [:]
    for (name, store) in stores { clients[name] = StateClient(store: store, storeName: name, appID: appID) }
    let app = Application(router: sidecarResponder(buildRouter(stores: clients, appID: appID, maxBodyBytes: maxBodyBytes)))
    try await app.test(.router) { client in try await body(Sidecar(client: client)) }
}

/// Runs `body` against a sidecar over a store built from `component`, with the store's clients
/// running, served on a real socket (a free loopback port): requests go through HTTP parsing and
/// percent-encoding as they would from curl. A PostgreSQL store's table is migrated before and
/// dropped after.
func withSidecar(component: StateComponent, table: String? = nil, _ body: @escaping @Sendable (Sidecar) async throws -> Void) async throws {
    let store = try ComponentStore(component: component, logger: Logger(label: "sidecar-test"))
    let postgres = (store.store as? ResilientStateStore)?.base as? PostgresStateStore
    let appID = uniqueAppID()
    try await withThrowingTaskGroup(of: Void.self) { group in
        // The PostgreSQL store's own service would migrate in the background; the test does it first instead.
        for service in store.services where !(service is PostgresStateStore) { group.addTask { try await service.run() } }
        defer { group.cancelAll() }
        try await postgres?.migrate()
        let app = Application(
            router: sidecarResponder(
                buildRouter(
                    stores: ["statestore": store.client(appID: appID)], appID: appID, maxBodyBytes: 4 * 1024 * 1024,
                    components: ["statestore": SidecarComponent(store)])),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        do {
            try await app.test(.live) { client in try await body(Sidecar(client: client)) }
        } catch {
            try? await postgres?.dropTable(table)
            throw error
        }
        try await postgres?.dropTable(table)
    }
}

extension PostgresStateStore {
    /// Drops the test's table.
    func dropTable(_ table: String?) async throws {
        guard let table else { return }
        _ = try await client.query("DROP TABLE IF EXISTS \(unescaped: table)").collect()
    }
}

/// A store that fails every call with `error`.
struct FailingStore: StateStore {
    let error: any Error
    var capabilities: StateStoreCapabilities { [.etag, .transactional, .ttl, .query, .keys] }
    func get(_ key: String, consistency: Consistency) async throws -> StateItem? { throw error }
    func bulkGet(_ keys: [String], consistency: Consistency) async throws -> BulkGetResult { throw error }
    func set(_ request: SetRequest) async throws { throw error }
    func delete(_ request: DeleteRequest) async throws { throw error }
    func transaction(_ operations: [TransactionOperation]) async throws { throw error }
    func query(_ query: StateQuery, keyPrefix: String) async throws -> StateQueryResult { throw error }
    func keys(prefix: String, limit: Int, token: String?) async throws -> StateKeysPage { throw error }
}

/// An error no layer knows.
struct SurpriseError: Error {}

/// The environment's Redis and PostgreSQL (as Tests/StateStoresTests read them).
enum TestServers {
    static let environment = ProcessInfo.processInfo.environment

    static var redisComponent: StateComponent {
        StateComponent(name: "statestore", type: "state.redis", version: "v1", metadata: [
            "redisHost": "\(environment["REDIS_HOST"] ?? "127.0.0.1"):\(environment["REDIS_PORT"] ?? "6379")",
            "redisPassword": environment["REDIS_PASSWORD"] ?? "",
        ], file: "statestore.yaml")
    }

    static func postgresComponent(table: String) -> StateComponent {
        let connection = "host=\(environment["POSTGRES_HOST"] ?? "127.0.0.1") port=\(environment["POSTGRES_PORT"] ?? "5432") "
            + "user=\(environment["POSTGRES_USER"] ?? "postgres") password=\(environment["POSTGRES_PASSWORD"] ?? "") "
            + "database=\(environment["POSTGRES_DATABASE"] ?? "eshop_test")"
        return StateComponent(name: "statestore", type: "state.postgresql", version: "v1", metadata: [
            "connectionString": connection, "tableName": table, "cleanupInterval": "0",
        ], file: "statestore.yaml")
    }
}
