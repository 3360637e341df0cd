import Configuration
import Foundation

/// The token settings Identity signs with and every service verifies with.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `identity.url` (`IDENTITY_URL`) | base URL of Identity (JWKS at `/.well-known/jwks.json`) | `http://127.0.0.1:5105` |
/// | `jwt.issuer` (`JWT_ISSUER`) | string (`iss`) | `eshop-identity` |
/// | `jwt.audience` (`JWT_AUDIENCE`) | string (`aud`) | `eshop` |
/// | `jwt.clock.skew.seconds` (`JWT_CLOCK_SKEW_SECONDS`) | seconds tolerated on `exp`/`nbf` | `30` |
/// | `jwt.jwks` (`JWT_JWKS`) | a JWKS document (JSON) to trust instead of fetching Identity's | none: fetched from `IDENTITY_URL` |
public struct AuthSettings: Sendable {
    public var identityURL: String
    public var issuer: String
    public var audience: String
    public var clockSkew: Duration
    /// A fixed key set (RFC 7517 JSON) to verify against instead of Identity's JWKS endpoint: for
    /// tests, and for deployments that distribute the public key themselves.
    public var staticJWKS: String?

    public static let defaultIdentityURL = "http://127.0.0.1:5105"
    public static let defaultIssuer = "eshop-identity"
    public static let defaultAudience = "eshop"

    public init(
        identityURL: String = defaultIdentityURL, issuer: String = defaultIssuer, audience: String = defaultAudience,
        clockSkew: Duration = .seconds(30), staticJWKS: String? = nil
    ) {
        self.identityURL = identityURL
        self.issuer = issuer
        self.audience = audience
        self.clockSkew = clockSkew
        self.staticJWKS = staticJWKS
    }

    public init(reader: ConfigReader) throws(ConfigurationError) {
        let url = reader.string(forKey: "identity.url", default: Self.defaultIdentityURL)
        guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
            throw ConfigurationError(variable: "IDENTITY_URL", problem: "is '\(url)': expected an http(s) URL")
        }
        self.init(
            identityURL: url.hasSuffix("/") ? String(url.dropLast()) : url,
            issuer: reader.string(forKey: "jwt.issuer", default: Self.defaultIssuer),
            audience: reader.string(forKey: "jwt.audience", default: Self.defaultAudience),
            clockSkew: .seconds(try reader.count(forKey: "jwt.clock.skew.seconds", default: 30)),
            staticJWKS: reader.string(forKey: "jwt.jwks"))
    }

    /// Where Identity publishes its public keys.
    public var jwksURL: String { identityURL + "/.well-known/jwks.json" }
}
