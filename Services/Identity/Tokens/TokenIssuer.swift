import Crypto
import Foundation
import JWTKit
import ServiceDefaults
import StateClient

/// Signs access tokens with one ES256 key and publishes its public half as a JWKS.
struct TokenIssuer: Sendable {
    let settings: AuthSettings
    let lifetime: Duration
    /// The RFC 7638 thumbprint of the public key, sent as `kid`.
    let keyID: String
    let jwks: JWKS
    private let keys: JWTKeyCollection

    init(privateKeyPEM: String, settings: AuthSettings, lifetime: Duration) async throws {
        let key = try ES256PrivateKey(pem: privateKeyPEM)
        guard let parameters = key.publicKey.parameters else { throw JWTError.invalidJWK(reason: "the key has no public coordinates") }
        let (x, y) = (parameters.x, parameters.y)
        let thumbprintInput = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
        keyID = Base64URL.encode(SHA256.hash(data: Data(thumbprintInput.utf8)))
        jwks = JWKS(keys: [.ecdsa(.es256, identifier: JWKIdentifier(string: keyID), x: x, y: y, curve: .p256)])
        keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: keyID))
        self.settings = settings
        self.lifetime = lifetime
    }

    /// A new private key in PEM, for the first replica that finds none stored.
    static func generatePrivateKeyPEM() -> String { ES256PrivateKey().pemRepresentation }

    /// A signed token for `user`, and its lifetime in seconds.
    func issue(for user: StoredUser, now: Date = Date()) async throws -> (token: String, expiresIn: Int) {
        let seconds = Int(lifetime.components.seconds)
        let claims = AccessTokenClaims(
            issuer: settings.issuer, audience: settings.audience, subject: user.id,
            issuedAt: now, expiresAt: now.addingTimeInterval(TimeInterval(seconds)),
            name: user.name, email: user.email, role: user.role)
        return (try await keys.sign(claims, kid: JWKIdentifier(string: keyID)), seconds)
    }
}
