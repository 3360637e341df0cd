import AsyncHTTPClient
import Foundation
import StateClient
import JWTKit
import Synchronization

/// Verifies eShop access tokens: ES256 signature against Identity's JWKS, then `iss`, `aud`,
/// `exp` and `nbf` (with the settings' clock skew).
///
/// The key set is fetched on first use, cached, and fetched again when a token names an unknown
/// `kid` (key rotation). A verified token is remembered until it expires, so a hot path pays for
/// the signature check once per token, not once per request.
///
/// ```swift
/// let verifier = BearerTokenVerifier(settings: try AuthSettings(reader: reader))
/// let user = try await verifier.verify(token)   // AuthenticationFailure when refused
/// ```
public final class BearerTokenVerifier: Sendable {
    public let settings: AuthSettings
    private let keySets: KeySetCache
    private let now: @Sendable () -> Date
    private let verified = Mutex<[String: AuthenticatedUser]>([:])
    private let maximumCachedTokens: Int

    /// A verifier that fetches the JWKS from `settings.jwksURL`, or trusts `settings.staticJWKS`
    /// when it is set (a malformed one refuses every token, as an unreachable Identity would).
    public convenience init(settings: AuthSettings, httpClient: HTTPClient = .shared) {
        if let staticJWKS = settings.staticJWKS {
            self.init(settings: settings) { try JSONDecoder().decode(JWKS.self, from: Data(staticJWKS.utf8)) }
            return
        }
        let url = settings.jwksURL
        self.init(settings: settings) { try await Self.fetchJWKS(from: url, httpClient: httpClient) }
    }

    /// A verifier over any key set source (tests pass keys directly); `now` is the clock the time
    /// claims are checked against.
    public init(
        settings: AuthSettings,
        maximumCachedTokens: Int = 10_000,
        minimumKeyRefreshInterval: Duration = .seconds(10),
        now: @escaping @Sendable () -> Date = Date.init,
        keySetSource: @escaping @Sendable () async throws -> JWKS
    ) {
        self.settings = settings
        self.maximumCachedTokens = maximumCachedTokens
        self.now = now
        self.keySets = KeySetCache(minimumRefreshInterval: minimumKeyRefreshInterval, source: keySetSource)
    }

    /// The caller the token identifies.
    ///
    /// - Throws: ``AuthenticationFailure/invalidToken(_:)`` when the token is refused;
    ///   ``ProblemDetails`` 503 when the key set cannot be fetched.
    public func verify(_ token: String) async throws -> AuthenticatedUser {
        let skew = TimeInterval(settings.clockSkew.components.seconds)
        let cached = verified.withLock { $0[token] }
        if let cached {
            guard cached.expiresAt.addingTimeInterval(skew) > now() else { throw AuthenticationFailure.invalidToken("the token has expired") }
            return cached
        }
        let header = try TokenHeader(token)
        let keySet: KeySetCache.Loaded
        do {
            keySet = try await keySets.keys(containing: header.kid)
        } catch {
            throw ProblemDetails(.serviceUnavailable, detail: "the identity service's keys are unavailable", retryAfterSeconds: 1)
        }
        guard keySet.keyIDs.contains(header.kid) else { throw AuthenticationFailure.invalidToken("unknown key id") }
        let claims: AccessTokenClaims
        do {
            claims = try await keySet.keys.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw AuthenticationFailure.invalidToken("the signature or claims could not be verified")
        }
        try check(claims, skew: skew)
        let user = AuthenticatedUser(claims: claims)
        remember(user, for: token)
        return user
    }

    private func check(_ claims: AccessTokenClaims, skew: TimeInterval) throws(AuthenticationFailure) {
        let now = now()
        guard claims.issuer.value == settings.issuer else { throw .invalidToken("wrong issuer") }
        guard claims.audience.value.contains(settings.audience) else { throw .invalidToken("wrong audience") }
        guard claims.expiration.value.addingTimeInterval(skew) > now else { throw .invalidToken("the token has expired") }
        if let notBefore = claims.notBefore, notBefore.value.addingTimeInterval(-skew) > now {
            throw .invalidToken("the token is not valid yet")
        }
    }

    /// Keeps `user` for `token`; when the cache is full, expired entries go first, then all.
    private func remember(_ user: AuthenticatedUser, for token: String) {
        let now = now()
        verified.withLock { cache in
            if cache.count >= maximumCachedTokens {
                cache = cache.filter { $0.value.expiresAt > now }
                if cache.count >= maximumCachedTokens { cache.removeAll(keepingCapacity: true) }
            }
            cache[token] = user
        }
    }

    /// GETs and decodes a JWKS document.
    public static func fetchJWKS(from url: String, httpClient: HTTPClient = .shared) async throws -> JWKS {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await httpClient.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1024 * 1024)
        guard response.status == .ok else { throw JWKSFetchError(url: url, status: Int(response.status.code)) }
        return try JSONDecoder().decode(JWKS.self, from: Data(body.readableBytesView))
    }
}

/// The JWKS endpoint answered something other than 200.
public struct JWKSFetchError: Error, Sendable, CustomStringConvertible {
    public var url: String
    public var status: Int
    public var description: String { "GET \(url) answered \(status)" }

    public init(url: String, status: Int) {
        self.url = url
        self.status = status
    }
}

/// The fields of a JWT header the verifier needs before choosing a key. Only ES256 with a `kid`
/// is accepted, which also rules out `alg: none` and algorithm confusion.
struct TokenHeader: Decodable {
    var alg: String
    var kid: String

    init(_ token: String) throws(AuthenticationFailure) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let bytes = Base64URL.decode(parts[0]),
            let header = try? JSONDecoder().decode(TokenHeader.self, from: Data(bytes))
        else { throw .invalidToken("malformed token") }
        guard header.alg == "ES256" else { throw .invalidToken("unsupported algorithm") }
        self = header
    }
}
