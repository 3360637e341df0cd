import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ServiceDefaults
import TestSupport
import Testing

@testable import Catalog

/// Catalog over its own throwaway database (migrated, seeded unless told otherwise), built by
/// the production `buildApplication(reader:)` with a test signing key standing in for
/// Identity's (`JWT_JWKS`).
struct CatalogFixture: Sendable {
    let client: PostgresClient
    let key: TestSigningKey
    let environment: [String: String]

    static func with<T: Sendable>(seed: Bool = true, _ body: @Sendable (CatalogFixture) async throws -> T) async throws -> T {
        let key = await TestSigningKey()
        return try await TestPostgres.withDatabase(prefix: "catalog") { configuration throws in
            try await TestPostgres.withClient(configuration) { client throws in
                try await migrateCatalog(client: client, seed: seed, logger: TestPostgres.logger)
                let redis = TestRedis.configuration  // Catalog's event bus (stock, price changes)
                // No model worker: port 1 refuses connections, so semantic search falls back to name search.
                let environment = TestPostgres.environment(configuration).merging([
                    "CATALOG_SEED": "\(seed)", "JWT_JWKS": key.jwksJSON, "MODEL_WORKER_URL": "http://127.0.0.1:1",
                    "REDIS_HOST": redis.host, "REDIS_PORT": String(redis.port), "REDIS_PASSWORD": redis.password ?? "",
                ]) { _, new in new }
                return try await body(CatalogFixture(client: client, key: key, environment: environment))
            }
        }
    }

    var repository: PostgresCatalogRepository { PostgresCatalogRepository(client: client, logger: TestPostgres.logger) }

    /// Runs `body` against the application `buildApplication(reader:)` builds for this database.
    func test<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let reader = ConfigReader(providers: [
            EnvironmentVariablesProvider(environmentVariables: environment),
            InMemoryProvider.serviceDefaults(port: catalogDefaultPort, appID: catalogDefaultAppID),
        ])
        return try await buildApplication(reader: reader).test(.router) { client in try await body(client) }
    }

    func adminToken() async throws -> String { try await key.token(subject: "admin-id", role: "admin") }
    func buyerToken() async throws -> String { try await key.token(subject: "alice-id", role: "buyer") }

    func count(_ sql: PostgresQuery) async throws -> Int {
        for try await value in try await client.query(sql).decode(Int.self) { return value }
        return -1
    }
}

extension TestClientProtocol {
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: headers)
    }

    /// Sends `body` (JSON text) with a bearer `token`.
    func send(_ method: HTTPRequest.Method, _ uri: String, token: String?, json body: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    func decoded<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(buffer: body))
    }

    var text: String { String(buffer: body) }

    /// The `errors` of a problem body, by field.
    var problemErrors: [String: [String]] {
        (try? decoded(as: ProblemDetails.self).errors) ?? [:]
    }
}

/// An item body; every field can be overridden by `with`.
func itemJSON(_ overrides: [String: String] = [:]) -> String {
    var fields: [String: String] = [
        "name": #""Test Thermos""#, "description": #""Keeps tea hot.""#, "price": "19.99", "catalogTypeId": "5", "catalogBrandId": "2",
        "availableStock": "10", "restockThreshold": "2", "maxStockThreshold": "50",
    ]
    for (name, value) in overrides { fields[name] = value }
    return "{" + fields.sorted { $0.key < $1.key }.map { #""\#($0.key)":\#($0.value)"# }.joined(separator: ",") + "}"
}
