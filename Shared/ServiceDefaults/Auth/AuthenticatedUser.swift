import Foundation
import Hummingbird

/// The caller of a request whose bearer token was verified.
public struct AuthenticatedUser: Sendable, Equatable {
    /// The token's `sub`: the user's stable id, which is the buyer id.
    public var buyerID: String
    public var name: String
    public var email: String
    /// `buyer` or `admin`.
    public var role: String
    /// When the token stops being accepted (its `exp`).
    public var expiresAt: Date

    public init(buyerID: String, name: String, email: String, role: String, expiresAt: Date) {
        self.buyerID = buyerID
        self.name = name
        self.email = email
        self.role = role
        self.expiresAt = expiresAt
    }

    init(claims: AccessTokenClaims) {
        self.init(
            buyerID: claims.subject.value, name: claims.name, email: claims.email, role: claims.role,
            expiresAt: claims.expiration.value)
    }
}

/// A request context that can carry the caller ``BearerAuthMiddleware`` authenticated.
public protocol AuthenticatedRequestContext: RequestContext {
    /// Set by ``BearerAuthMiddleware``; `nil` on routes it does not guard.
    var user: AuthenticatedUser? { get set }
}

extension AuthenticatedRequestContext {
    /// The authenticated caller, or a 401 when the route is not behind ``BearerAuthMiddleware``.
    public func requireUser() throws(ProblemDetails) -> AuthenticatedUser {
        guard let user else { throw AuthenticationFailure.missingToken.problem }
        return user
    }
}

/// The request context of services with authenticated routes.
///
/// ```swift
/// let router = Router.service(context: ServiceRequestContext.self, healthChecks: checks)
/// let baskets = router.group("api/v1/basket").add(middleware: BearerAuthMiddleware(verifier: verifier))
/// baskets.get { _, context in try await repository.basket(for: context.requireUser().buyerID) }
/// ```
public struct ServiceRequestContext: AuthenticatedRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var user: AuthenticatedUser?

    public init(source: Source) {
        coreContext = CoreRequestContextStorage(source: source)
        user = nil
    }

    /// JSON answers through ``JSONResponseEncoder``: `/` unescaped (`"http://…"`), members in
    /// the order the type writes them (`.sortedKeys` compared through UTF-16 on Linux and made a
    /// basket read 10 % slower).
    public var responseEncoder: JSONResponseEncoder { JSONResponseEncoder() }
}
