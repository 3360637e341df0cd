import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import PostgresNIO
import ServiceDefaults
import TestSupport
import Testing

@testable import Identity

/// Identity over its own throwaway database, with fast settings for tests (bcrypt cost 4, no
/// failure delay) unless `environment` says otherwise.
struct IdentityFixture: Sendable {
    let client: PostgresClient
    let settings: IdentitySettings
    let issuer: TokenIssuer
    /// What `buildApplication(reader:)` reads: the test settings and this database.
    let environment: [String: String]

    static let baseEnvironment = [
        "IDENTITY_BCRYPT_COST": "4",
        "IDENTITY_LOGIN_FAILURE_DELAY_MS": "0",
        "IDENTITY_LOGIN_MAX_FAILURES": "3",
        "IDENTITY_LOGIN_COOLDOWN_SECONDS": "60",
    ]

    static func settings(_ environment: [String: String] = [:]) throws -> IdentitySettings {
        let reader = ConfigReader(
            provider: EnvironmentVariablesProvider(environmentVariables: baseEnvironment.merging(environment) { _, new in new }))
        return try IdentitySettings(reader: reader)
    }

    /// Runs `body` with a migrated, seeded Identity store in a new database, dropped afterwards.
    static func with<T: Sendable>(
        _ environment: [String: String] = [:], _ body: @Sendable (IdentityFixture) async throws -> T
    ) async throws -> T {
        let settings = try settings(environment)
        return try await TestPostgres.withDatabase(prefix: "identity") { configuration throws in
            try await TestPostgres.withClient(configuration) { client throws in
                let issuer = try await prepareIdentityStore(client: client, settings: settings, logger: TestPostgres.logger)
                let environment = baseEnvironment.merging(environment) { _, new in new }.merging(TestPostgres.environment(configuration)) { _, new in new }
                return try await body(IdentityFixture(client: client, settings: settings, issuer: issuer, environment: environment))
            }
        }
    }

    /// Runs `body` against the application `buildApplication(reader:)` builds for this database,
    /// in process (`.router`) or on a loopback port (`.live`).
    func test<T: Sendable>(_ setup: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let reader = ConfigReader(providers: [
            EnvironmentVariablesProvider(environmentVariables: environment),
            InMemoryProvider.serviceDefaults(port: identityDefaultPort, appID: identityDefaultAppID),
        ])
        return try await buildApplication(reader: reader).test(setup) { client in try await body(client) }
    }
}

extension TestClientProtocol {
    /// `POST /connect/token` with a form body built from `fields` (percent-encoded).
    func token(_ fields: [(String, String)], contentType: String = "application/x-www-form-urlencoded") async throws -> TestResponse {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = fields.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
        return try await execute(
            uri: "/connect/token", method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: body))
    }

    func login(_ username: String, _ password: String = DevelopmentUsers.defaultPassword) async throws -> TestResponse {
        try await token([("grant_type", "password"), ("username", username), ("password", password)])
    }
}

extension TestResponse {
    func decoded<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(buffer: body))
    }
}
