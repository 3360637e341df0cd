import Foundation
import JWTKit
import ServiceDefaults

/// A signing key of the tests' own, standing in for Identity's, and tokens signed with it
/// (`verifier` accepts them).
public struct TestSigningKey: Sendable {
    public let kid: String
    public let jwks: JWKS
    private let keys: JWTKeyCollection

    public init(kid: String = "test-\(UUID().uuidString.prefix(8))") async {
        let key = ES256PrivateKey()
        self.kid = kid
        let parameters = key.publicKey.parameters!
        jwks = JWKS(keys: [.ecdsa(.es256, identifier: JWKIdentifier(string: kid), x: parameters.x, y: parameters.y, curve: .p256)])
        keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
    }

    /// A token for `sub` with `role`; every claim can be made wrong on purpose.
    public func token(
        subject: String = "buyer-1", role: String = "buyer", issuer: String = AuthSettings.defaultIssuer,
        audience: String = AuthSettings.defaultAudience, expiresIn: TimeInterval = 600, notBefore: Date? = nil,
        kid: String? = nil
    ) async throws -> String {
        let now = Date()
        let claims = AccessTokenClaims(
            issuer: issuer, audience: audience, subject: subject, issuedAt: now, expiresAt: now.addingTimeInterval(expiresIn),
            notBefore: notBefore, name: "Test User", email: "test@example.com", role: role)
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid ?? self.kid))
    }
}

extension TestSigningKey {
    /// The key set as JSON, for `JWT_JWKS` (``AuthSettings/staticJWKS``): services built by their
    /// own `buildApplication(reader:)` then trust this key.
    public var jwksJSON: String {
        (try? JSONEncoder().encode(jwks)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A verifier with the default settings that trusts this key.
    public var verifier: BearerTokenVerifier {
        let jwks = jwks
        return BearerTokenVerifier(settings: AuthSettings()) { jwks }
    }
}
