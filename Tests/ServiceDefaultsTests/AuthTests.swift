import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import ServiceDefaults
import TestSupport
import Testing

/// The authorization matrix of ``BearerAuthMiddleware`` and ``BearerTokenVerifier``: every way a
/// token can be wrong is refused with the right status, and a good one reaches the handler.
@Suite(.timeLimit(.minutes(1))) struct AuthTests {
    /// `/me` for any signed-in user, `/admin` for role `admin`; both answer the caller's id and role.
    private func makeApplication(verifier: BearerTokenVerifier) -> some ApplicationProtocol {
        let router = Router.service(context: ServiceRequestContext.self, healthChecks: [])
        router.get("open") { _, _ in "anyone" }
        router.group("me").add(middleware: BearerAuthMiddleware(verifier: verifier))
            .get { _, context in try "\(context.requireUser().buyerID) \(context.requireUser().role)" }
        router.group("admin").add(middleware: BearerAuthMiddleware(verifier: verifier, role: "admin"))
            .get { _, context in try "\(context.requireUser().buyerID) \(context.requireUser().role)" }
        return Application(router: router)
    }

    private func verifier(_ source: CountingKeySource, refreshInterval: Duration = .seconds(10)) -> BearerTokenVerifier {
        BearerTokenVerifier(settings: AuthSettings(), minimumKeyRefreshInterval: refreshInterval) { source.fetch() }
    }

    private func get(_ client: some TestClientProtocol, _ path: String, token: String?) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: path, method: .get, headers: headers)
    }

    @Test func validTokenReachesTheHandlerWithTheCaller() async throws {
        let key = await TestSigningKey()
        let token = try await key.token(subject: "alice-id", role: "admin")
        try await makeApplication(verifier: verifier(CountingKeySource(key.jwks))).test(.router) { client throws in
            let me = try await get(client, "/me", token: token)
            #expect(me.status == .ok)
            #expect(String(buffer: me.body) == "alice-id admin")
            #expect(try await get(client, "/admin", token: token).status == .ok)
            #expect(try await get(client, "/open", token: nil).status == .ok)
        }
    }

    @Test func refusesEveryBadTokenWithTheRightStatus() async throws {
        let key = await TestSigningKey(kid: "shared-kid")
        let otherKeySameKid = await TestSigningKey(kid: "shared-kid")
        let otherKey = await TestSigningKey()
        let cases: [(String, String?, String, HTTPResponse.Status)] = [
            ("no token", nil, "/me", .unauthorized),
            ("not a JWT", "not-a-token", "/me", .unauthorized),
            ("expired", try await key.token(expiresIn: -120), "/me", .unauthorized),
            ("not valid yet", try await key.token(notBefore: Date().addingTimeInterval(300)), "/me", .unauthorized),
            ("signed by another key with the same kid", try await otherKeySameKid.token(), "/me", .unauthorized),
            ("signed by an unknown key", try await otherKey.token(), "/me", .unauthorized),
            ("wrong audience", try await key.token(audience: "another-api"), "/me", .unauthorized),
            ("wrong issuer", try await key.token(issuer: "someone-else"), "/me", .unauthorized),
            ("alg none", Self.unsignedToken(), "/me", .unauthorized),
            ("buyer on an admin route", try await key.token(role: "buyer"), "/admin", .forbidden),
            ("no token on an admin route", nil, "/admin", .unauthorized),
        ]
        try await makeApplication(verifier: verifier(CountingKeySource(key.jwks))).test(.router) { client throws in
            for (name, token, path, status) in cases {
                let response = try await get(client, path, token: token)
                #expect(response.status == status, "\(name)")
                #expect(response.headers[.contentType] == ProblemDetails.mediaType, "\(name)")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(name)")
            }
        }
    }

    @Test func invalidTokenChallengeNamesTheError() async throws {
        let key = await TestSigningKey()
        let expired = try await key.token(expiresIn: -120)
        try await makeApplication(verifier: verifier(CountingKeySource(key.jwks))).test(.router) { client throws in
            #expect(try await get(client, "/me", token: nil).headers[.wwwAuthenticate] == "Bearer")
            let refused = try await get(client, "/me", token: expired)
            #expect(refused.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
            #expect(String(buffer: refused.body).contains("expired"))
        }
    }

    @Test func toleratesTheClockSkewOnExpiry() async throws {
        let key = await TestSigningKey()
        let verifier = verifier(CountingKeySource(key.jwks))
        let user = try await verifier.verify(try await key.token(expiresIn: -10))
        #expect(user.buyerID == "buyer-1")
        await #expect(throws: AuthenticationFailure.self) { try await verifier.verify(try await key.token(expiresIn: -60)) }
    }

    @Test func fetchesKeysOnceAndCachesVerifiedTokens() async throws {
        let key = await TestSigningKey()
        let source = CountingKeySource(key.jwks)
        let verifier = verifier(source)
        let token = try await key.token()
        for _ in 0..<5 { _ = try await verifier.verify(token) }
        _ = try await verifier.verify(try await key.token(subject: "buyer-2"))
        #expect(source.fetches == 1)
    }

    @Test func refetchesKeysWhenAnUnknownKidAppears() async throws {
        let first = await TestSigningKey()
        let rotated = await TestSigningKey()
        let source = CountingKeySource(first.jwks)
        let verifier = verifier(source, refreshInterval: .zero)
        _ = try await verifier.verify(try await first.token())
        source.serve(rotated.jwks)
        let user = try await verifier.verify(try await rotated.token(subject: "after-rotation"))
        #expect(user.buyerID == "after-rotation")
        #expect(source.fetches == 2)
    }

    @Test func unknownKidsDoNotRefetchWithinTheRefreshInterval() async throws {
        let key = await TestSigningKey()
        let stranger = await TestSigningKey()
        let source = CountingKeySource(key.jwks)
        let verifier = verifier(source, refreshInterval: .seconds(60))
        _ = try await verifier.verify(try await key.token())
        for _ in 0..<3 {
            await #expect(throws: AuthenticationFailure.self) { try await verifier.verify(try await stranger.token()) }
        }
        #expect(source.fetches == 1)
    }

    @Test func unreachableKeySetIsAServiceUnavailableProblem() async throws {
        let key = await TestSigningKey()
        let verifier = BearerTokenVerifier(settings: AuthSettings()) { throw JWKSFetchError(url: "http://nowhere", status: 502) }
        let token = try await key.token()
        try await makeApplication(verifier: verifier).test(.router) { client throws in
            #expect(try await get(client, "/me", token: token).status == .serviceUnavailable)
        }
    }

    /// Fetches the key set over HTTP from a JWKS route on a real socket, as services do from
    /// `IDENTITY_URL`.
    @Test func fetchesTheKeySetFromIdentityURL() async throws {
        let key = await TestSigningKey()
        let router = Router()
        router.get(".well-known/jwks.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(key.jwks))))
        }
        let port = try await TestRedis.freePort()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        let token = try await key.token(subject: "over-http")
        try await app.test(.live) { client throws in
            let settings = AuthSettings(identityURL: "http://127.0.0.1:\(client.port ?? port)")
            let user = try await BearerTokenVerifier(settings: settings).verify(token)
            #expect(user.buyerID == "over-http")
        }
    }

    /// A token with `alg: none` and no signature.
    private static func unsignedToken() -> String {
        func encode(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
        }
        let expiry = Int(Date().timeIntervalSince1970) + 600
        return encode(#"{"alg":"none","typ":"JWT"}"#) + "."
            + encode(#"{"iss":"eshop-identity","aud":"eshop","sub":"x","exp":\#(expiry),"iat":0,"name":"n","email":"e","role":"admin"}"#) + "."
    }
}
