import Foundation
import Hummingbird
import HummingbirdAuth

/// Lets a request through only with a valid `Authorization: Bearer <token>` (and, when `role` is
/// set, only for that role), and hands the caller to the handlers in `context.user`.
///
/// Missing, malformed, expired or foreign tokens → 401 with `WWW-Authenticate: Bearer`; a valid
/// token with another role → 403.
///
/// ```swift
/// let admin = router.group("api/v1/catalog").add(middleware: BearerAuthMiddleware(verifier: verifier, role: "admin"))
/// ```
public struct BearerAuthMiddleware<Context: AuthenticatedRequestContext>: RouterMiddleware {
    public let verifier: BearerTokenVerifier
    public let role: String?

    public init(verifier: BearerTokenVerifier, role: String? = nil) {
        self.verifier = verifier
        self.role = role
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let user: AuthenticatedUser
        do {
            user = try await verifier.verify(Self.bearerToken(request))
        } catch let failure as AuthenticationFailure {
            throw failure.problem
        }
        if let role, user.role != role { throw AuthenticationFailure.forbidden(requiredRole: role).problem }
        var context = context
        context.user = user
        return try await next(request, context)
    }

    /// The token of an `Authorization: Bearer <token>` header, through hummingbird-auth's
    /// `headers.bearer` (which takes the scheme as `Bearer`, the way every client writes it).
    static func bearerToken(_ request: Request) throws(AuthenticationFailure) -> String {
        guard let token = request.headers.bearer?.token, !token.isEmpty else { throw .missingToken }
        return token
    }
}
