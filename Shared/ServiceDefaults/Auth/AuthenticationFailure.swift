import Hummingbird

/// Why a request was refused by ``BearerAuthMiddleware``, as the problem it answers with.
///
/// 401s carry `WWW-Authenticate: Bearer` (RFC 6750 §3), with `error="invalid_token"` when a token
/// was sent but not accepted; 403 carries `error="insufficient_scope"`.
public enum AuthenticationFailure: Error, Sendable, Equatable {
    /// No `Authorization: Bearer …` header.
    case missingToken
    /// A token that is malformed, badly signed, expired, not yet valid, or for another issuer or audience.
    case invalidToken(String)
    /// A valid token whose role is not the one the route requires.
    case forbidden(requiredRole: String)

    /// The problem+json response for this failure.
    public var problem: ProblemDetails {
        switch self {
        case .missingToken:
            ProblemDetails(.unauthorized, detail: "a bearer token is required", challenge: "Bearer")
        case .invalidToken(let reason):
            ProblemDetails(
                .unauthorized, detail: "invalid bearer token: \(reason)",
                challenge: #"Bearer error="invalid_token", error_description="\#(reason)""#)
        case .forbidden(let role):
            ProblemDetails(.forbidden, detail: "this operation requires the role '\(role)'", challenge: #"Bearer error="insufficient_scope""#)
        }
    }
}
