import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import ServiceDefaults
import TestSupport
import Testing

@testable import Identity

@Suite(.postgresReachable, .timeLimit(.minutes(1))) struct TokenEndpointTests {
    @Test func issuesAVerifiableES256TokenWithEveryClaim() async throws {
        try await IdentityFixture.with { fixture throws in
            try await fixture.test { client throws in
                let response = try await client.login("alice")
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                let body = try response.decoded(as: TokenResponse.self)
                #expect(body.tokenType == "Bearer")
                #expect(body.expiresIn == 3600)

                let jwks = try await client.execute(uri: "/.well-known/jwks.json", method: .get).decoded(as: JWKS.self)
                #expect(jwks.keys.first?.algorithm == .es256)
                let keys = JWTKeyCollection()
                try await keys.add(jwks: jwks)
                let claims = try await keys.verify(body.accessToken, as: AccessTokenClaims.self)
                let alice = try #require(try await PostgresIdentityRepository(client: fixture.client, logger: TestPostgres.logger).user(named: "alice"))
                #expect(claims.subject.value == alice.id)
                #expect(claims.issuer.value == "eshop-identity")
                #expect(claims.audience.value == ["eshop"])
                #expect(claims.name == "Alice Smith")
                #expect(claims.email == "alice@example.com")
                #expect(claims.role == "buyer")
                #expect(claims.expiration.value.timeIntervalSince(claims.issuedAt.value) == 3600)

                let again = try await client.login("ALICE").decoded(as: TokenResponse.self)
                #expect(try await keys.verify(again.accessToken, as: AccessTokenClaims.self).subject.value == alice.id)
            }
        }
    }

    @Test func adminGetsTheAdminRoleAndBobIsABuyer() async throws {
        try await IdentityFixture.with { fixture throws in
            try await fixture.test { client throws in
                let verifier = BearerTokenVerifier(settings: fixture.settings.auth) { fixture.issuer.jwks }
                let admin = try await verifier.verify(try await client.login("admin").decoded(as: TokenResponse.self).accessToken)
                #expect(admin.role == "admin")
                let bob = try await verifier.verify(try await client.login("bob").decoded(as: TokenResponse.self).accessToken)
                #expect(bob.role == "buyer")
                #expect(bob.buyerID != admin.buyerID)
            }
        }
    }

    @Test func wrongCredentialsAreInvalidGrant() async throws {
        try await IdentityFixture.with { fixture throws in
            try await fixture.test { client throws in
                for (user, password) in [("alice", "wrong"), ("nobody", "Pass123$")] {
                    let response = try await client.login(user, password)
                    #expect(response.status == .badRequest)
                    #expect(response.headers[.contentType] == "application/json")
                    #expect(try response.decoded(as: OAuthError.self).error == "invalid_grant")
                }
            }
        }
    }

    @Test func malformedRequestsAreOAuthErrors() async throws {
        try await IdentityFixture.with { fixture throws in
            try await fixture.test { client throws in
                let cases: [([(String, String)], String, String)] = [
                    ([("username", "alice"), ("password", "x")], "application/x-www-form-urlencoded", "invalid_request"),
                    ([("grant_type", "client_credentials")], "application/x-www-form-urlencoded", "unsupported_grant_type"),
                    ([("grant_type", "password"), ("password", "x")], "application/x-www-form-urlencoded", "invalid_request"),
                    ([("grant_type", "password"), ("username", "alice")], "application/x-www-form-urlencoded", "invalid_request"),
                    ([("grant_type", "password"), ("username", "alice"), ("password", "x")], "application/json", "invalid_request"),
                ]
                for (fields, contentType, error) in cases {
                    let response = try await client.token(fields, contentType: contentType)
                    #expect(response.status == .badRequest, "\(fields)")
                    #expect(try response.decoded(as: OAuthError.self).error == error, "\(fields)")
                }
            }
        }
    }

    /// bcrypt stops at the first NUL and reads at most 72 bytes: such passwords are refused, not
    /// silently truncated into bob's (issue: `Pass123$` + U+0000 + anything signed bob in).
    @Test func passwordsBcryptCannotVerifyFaithfullyAreRefused() async throws {
        try await IdentityFixture.with { fixture throws in
            try await fixture.test { client throws in
                let atLimit = String(repeating: "é", count: 36)  // 72 bytes in UTF-8: checked, and wrong
                #expect(try await client.login("bob", atLimit).decoded(as: OAuthError.self).error == "invalid_grant")
                for password in ["Pass123$\0", "Pass123$\0anything", "\0", atLimit + "a", String(repeating: "a", count: 73)] {
                    let response = try await client.login("bob", password)
                    #expect(response.status == .badRequest, "\(password.utf8.count) bytes")
                    #expect(try response.decoded(as: OAuthError.self).error == "invalid_request")
                }
                for username in ["alice\0", "\0alice", String(repeating: "e\u{301}", count: 51)] {  // PostgreSQL text cannot hold U+0000: refused before the query
                    let response = try await client.login(username)
                    #expect(response.status == .badRequest)
                    #expect(try response.decoded(as: OAuthError.self).error == "invalid_request")
                }
                #expect(try await client.login("bob").status == .ok)  // nothing above counted as bob's failure
            }
        }
    }

    /// RFC 6749 §3.2: a parameter must not be sent twice.
    @Test func aRepeatedParameterIsAnInvalidRequest() async throws {
        try await IdentityFixture.with { fixture throws in
            try await fixture.test { client throws in
                let response = try await client.token([("grant_type", "password"), ("username", "bob"), ("username", "alice"), ("password", "Pass123$")])
                #expect(response.status == .badRequest)
                #expect(try response.decoded(as: OAuthError.self).error == "invalid_request")
            }
        }
    }

    @Test func repeatedFailuresAreRefusedForACooldown() async throws {
        try await IdentityFixture.with { fixture throws in
            try await fixture.test { client throws in
                for _ in 0..<3 { #expect(try await client.login("bob", "guess").status == .badRequest) }
                let refused = try await client.login("bob")
                #expect(refused.status == .tooManyRequests)
                #expect(refused.headers[.contentType] == ProblemDetails.mediaType)
                let retryAfter = try #require(refused.headers[.retryAfter].flatMap(Int.init))
                #expect((1...60).contains(retryAfter))
                #expect(try await client.login("alice").status == .ok)
            }
        }
    }

    @Test func aSuccessfulLoginResetsTheFailures() async throws {
        try await IdentityFixture.with { fixture throws in
            try await fixture.test { client throws in
                for _ in 0..<2 { #expect(try await client.login("bob", "guess").status == .badRequest) }
                #expect(try await client.login("bob").status == .ok)
                for _ in 0..<2 { #expect(try await client.login("bob", "guess").status == .badRequest) }
                #expect(try await client.login("bob").status == .ok)
            }
        }
    }

    @Test func failuresAreSlowedDownMoreEachTime() async throws {
        try await IdentityFixture.with(["IDENTITY_LOGIN_FAILURE_DELAY_MS": "150", "IDENTITY_LOGIN_MAX_FAILURES": "10"]) { fixture throws in
            try await fixture.test { client throws in
                _ = try await client.login("alice", "guess")
                let clock = ContinuousClock()
                let second = try await clock.measure { _ = try await client.login("alice", "guess") }
                let third = try await clock.measure { _ = try await client.login("alice", "guess") }
                #expect(second >= .milliseconds(300))
                #expect(third >= .milliseconds(450))
            }
        }
    }

    @Test func discoveryDocumentPointsAtTheEndpoints() async throws {
        try await IdentityFixture.with(["IDENTITY_URL": "http://identity.test:5105", "JWT_ISSUER": "https://issuer.test"]) { fixture throws in
            try await fixture.test { client throws in
                let response = try await client.execute(uri: "/.well-known/openid-configuration", method: .get)
                #expect(response.status == .ok)
                let document = try response.decoded(as: DiscoveryBody.self)
                #expect(document.issuer == "https://issuer.test")
                #expect(document.tokenEndpoint == "http://identity.test:5105/connect/token")
                #expect(document.jwksURI == "http://identity.test:5105/.well-known/jwks.json")
                #expect(document.idTokenSigningAlgValuesSupported == ["ES256"])
            }
        }
    }

    @Test func readinessChecksPostgres() async throws {
        try await IdentityFixture.with { fixture throws in
            try await fixture.test { client throws in
                #expect(try await client.execute(uri: "/health/ready", method: .get).status == .ok)
            }
        }
    }
}

/// The discovery fields the tests check.
struct DiscoveryBody: Decodable {
    var issuer: String
    var tokenEndpoint: String
    var jwksURI: String
    var idTokenSigningAlgValuesSupported: [String]

    enum CodingKeys: String, CodingKey {
        case issuer, tokenEndpoint = "token_endpoint", jwksURI = "jwks_uri"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
    }
}
