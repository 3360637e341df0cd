import Foundation
import HummingbirdTesting
import Hummingbird
import JWTKit
import PostgresNIO
import ServiceDefaults
import TestSupport
import Testing

@testable import Identity

/// Migrations, seeding and the shared signing key, against real PostgreSQL.
@Suite(.postgresReachable, .timeLimit(.minutes(1))) struct IdentityStoreTests {
    private func count(_ sql: PostgresQuery, _ client: PostgresClient) async throws -> Int {
        for try await value in try await client.query(sql).decode(Int.self) { return value }
        return -1
    }

    @Test func migratesTwiceAndConcurrentlyWithoutHarmSeedingOnce() async throws {
        try await IdentityFixture.with { fixture throws in
            let settings = fixture.settings
            let ids = try await PostgresIdentityRepository(client: fixture.client, logger: TestPostgres.logger).user(named: "alice")?.id
            let issuers = try await withThrowingTaskGroup(of: TokenIssuer.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await prepareIdentityStore(client: fixture.client, settings: settings, logger: TestPostgres.logger) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(issuers.map(\.keyID)) == [fixture.issuer.keyID])
            #expect(try await count("SELECT count(*)::bigint FROM identity.users", fixture.client) == 3)
            #expect(try await count("SELECT count(*)::bigint FROM identity.schema_migrations", fixture.client) == 1)
            #expect(try await count("SELECT count(*)::bigint FROM identity.signing_keys", fixture.client) == 1)
            let after = try await PostgresIdentityRepository(client: fixture.client, logger: TestPostgres.logger).user(named: "alice")?.id
            #expect(after == ids)
        }
    }

    @Test func firstStartsRacingOnAnEmptyDatabaseAgreeOnOneKey() async throws {
        let settings = try IdentityFixture.settings()
        try await TestPostgres.withDatabase(prefix: "identity") { configuration throws in
            try await TestPostgres.withClient(configuration) { client throws in
                let keyIDs = try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<3 {
                        group.addTask { try await prepareIdentityStore(client: client, settings: settings, logger: TestPostgres.logger).keyID }
                    }
                    return try await group.reduce(into: Set<String>()) { $0.insert($1) }
                }
                #expect(keyIDs.count == 1)
                #expect(try await count("SELECT count(*)::bigint FROM identity.users", client) == 3)
            }
        }
    }

    @Test func storesPasswordsOnlyAsBcryptHashes() async throws {
        try await IdentityFixture.with { fixture throws in
            for try await hash in try await fixture.client.query("SELECT password_hash FROM identity.users").decode(String.self) {
                #expect(hash.hasPrefix("$2b$04$"))
                #expect(!hash.contains(DevelopmentUsers.defaultPassword))
            }
        }
    }

    @Test func seedPasswordsComeFromConfiguration() async throws {
        try await IdentityFixture.with(["IDENTITY_ALICE_PASSWORD": "alice-secret"]) { fixture throws in
            try await fixture.test { client throws in
                #expect(try await client.login("alice", "alice-secret").status == .ok)
                #expect(try await client.login("alice").status == .badRequest)
                #expect(try await client.login("bob").status == .ok)
            }
        }
    }

    @Test func seedingCanBeTurnedOff() async throws {
        try await IdentityFixture.with(["IDENTITY_SEED_USERS": "false"]) { fixture throws in
            #expect(try await count("SELECT count(*)::bigint FROM identity.users", fixture.client) == 0)
        }
    }

    @Test func aConfiguredSigningKeyIsUsedInsteadOfTheStoredOne() async throws {
        let pem = ES256PrivateKey().pemRepresentation
        try await IdentityFixture.with(["IDENTITY_SIGNING_KEY": pem]) { fixture throws in
            let expected = try await TokenIssuer(privateKeyPEM: pem, settings: fixture.settings.auth, lifetime: .seconds(60))
            #expect(fixture.issuer.keyID == expected.keyID)
            #expect(try await count("SELECT count(*)::bigint FROM identity.signing_keys", fixture.client) == 0)
        }
    }

    /// A service's ``BearerTokenVerifier`` fetches Identity's JWKS over a real socket and accepts
    /// the tokens Identity issues.
    @Test func servicesVerifyIdentityTokensThroughItsJWKS() async throws {
        try await IdentityFixture.with { fixture throws in
            try await fixture.test(.live) { client throws in
                let token = try await client.login("bob").decoded(as: TokenResponse.self).accessToken
                let port = try #require(client.port)
                let verifier = BearerTokenVerifier(settings: AuthSettings(identityURL: "http://127.0.0.1:\(port)"))
                let user = try await verifier.verify(token)
                #expect(user.role == "buyer")
                #expect(user.email == "bob@example.com")
            }
        }
    }
}
