import Foundation
import HummingbirdBcrypt
import Hummingbird
import Logging
import NIOPosix
import ServiceDefaults

/// `POST /connect/token`: the OAuth 2.0 resource owner password grant (RFC 6749 §4.3).
///
/// Errors follow RFC 6749 §5.2 (`{"error":"invalid_grant"}` and friends, status 400), except a
/// user name in its cool-down after too many wrong passwords: 429 problem+json with `Retry-After`.
struct TokenController: Sendable {
    let users: any UserRepository
    let attempts: any LoginAttempts
    let issuer: TokenIssuer
    let policy: LoginPolicy
    /// A hash of a random password at the configured cost, checked when the user name is
    /// unknown so that the answer takes as long as for a known user.
    let decoyHash: String

    var endpoints: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.post("connect/token", use: token)
        return routes
    }

    @Sendable func token(_ request: Request, context: BasicRequestContext) async throws -> Response {
        do {
            return try await issueToken(request, context: context)
        } catch let error as OAuthError {
            // OAuth clients read `error`, so these stay OAuth's JSON rather than problem+json.
            return try OAuthResponse.json(error, status: error.status)
        }
    }

    private func issueToken(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let form = try await TokenRequest(request, context: context)
        if let seconds = try await attempts.cooldownRemaining(for: form.username) {
            throw ProblemDetails(
                .tooManyRequests, detail: "too many failed logins for this user; retry after \(seconds) s", retryAfterSeconds: seconds)
        }
        let user = try await users.user(named: form.username)
        let hash = user?.passwordHash ?? decoyHash
        let password = form.password
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        guard let user, matches else {
            let failures = try await attempts.recordFailure(for: form.username, policy: policy)
            context.logger.notice("failed login", metadata: ["user": "\(form.username)", "failures": "\(failures)"])
            try await Task.sleep(for: policy.delayPerFailure * failures)
            throw OAuthError.invalidGrant
        }
        try await attempts.recordSuccess(for: form.username)
        let (token, expiresIn) = try await issuer.issue(for: user)
        return try OAuthResponse.json(TokenResponse(accessToken: token, tokenType: "Bearer", expiresIn: expiresIn), status: .ok)
    }
}
