import Foundation
import JWTKit

/// The claims of an eShop access token, as Identity signs them and every service reads them.
///
/// `sub` is the user's stable id (the buyer id), `role` is `buyer` or `admin`. Signature, `iss`,
/// `aud`, `exp` and `nbf` are checked by ``BearerTokenVerifier`` (with its clock skew), not by
/// ``verify(using:)``.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var issuer: IssuerClaim
    public var audience: AudienceClaim
    public var subject: SubjectClaim
    public var expiration: ExpirationClaim
    public var issuedAt: IssuedAtClaim
    public var notBefore: NotBeforeClaim?
    public var name: String
    public var email: String
    public var role: String

    enum CodingKeys: String, CodingKey {
        case issuer = "iss", audience = "aud", subject = "sub", expiration = "exp", issuedAt = "iat", notBefore = "nbf"
        case name, email, role
    }

    public init(
        issuer: String, audience: String, subject: String, issuedAt: Date, expiresAt: Date,
        notBefore: Date? = nil, name: String, email: String, role: String
    ) {
        self.issuer = IssuerClaim(value: issuer)
        self.audience = AudienceClaim(value: [audience])
        self.subject = SubjectClaim(value: subject)
        self.issuedAt = IssuedAtClaim(value: issuedAt)
        self.expiration = ExpirationClaim(value: expiresAt)
        self.notBefore = notBefore.map { NotBeforeClaim(value: $0) }
        self.name = name
        self.email = email
        self.role = role
    }

    /// Nothing to check beyond the signature here: the time and audience checks need the
    /// verifier's settings and clock, so ``BearerTokenVerifier`` does them right after.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
