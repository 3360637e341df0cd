import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Reads the session cookie, loads a signed-in session's user, and gives every browser a session
/// id (a guest one when it has none) with its CSRF token; sets the cookie when it issued a new id.
///
/// The cookie `eshop_session` is `HttpOnly` (no script can read it), `SameSite=Lax` (not sent
/// with cross-site posts), `Path=/`, and `Secure` when the storefront is served over HTTPS
/// (`secureCookies`, or a proxy's `X-Forwarded-Proto: https`).
struct SessionMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    static let cookieName = "eshop_session"

    let sessions: SessionStore
    let csrf: CSRFTokens
    let secureCookies: Bool
    /// Answers with the 503 page when the session store is down.
    let errorPages: ErrorPageMiddleware

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var issued: String?
        do {
            if let id = request.cookies[Self.cookieName]?.value, SessionStore.isWellFormed(id) {
                context.sessionID = id
                context.user = try await sessions.user(session: id)
                if context.user == nil, id.hasPrefix("s.") {
                    // Signed out elsewhere or expired: carry on as a new guest.
                    issued = SessionStore.newID(signedIn: false)
                }
            } else {
                issued = SessionStore.newID(signedIn: false)
            }
            if let issued { context.sessionID = issued }
            context.csrfToken = try await csrf.token(for: context.sessionID)
        } catch {
            context.logger.warning("session store unavailable", metadata: ["error": "\(String(reflecting: error))"])
            return errorPages.answer(BackendUnavailable(backend: "session store", reason: "\(error)"), context: context)
        }
        var response = try await next(request, context)
        if let issued, !response.headers[values: .setCookie].contains(where: { $0.hasPrefix(Self.cookieName + "=") }) {
            response.setCookie(cookie(issued, request: request, maxAge: nil))
        }
        return response
    }

    /// The session cookie for `id` (`maxAge` in seconds: a signed-in session ends with its token).
    func cookie(_ id: String, request: Request, maxAge: Int?) -> Cookie {
        let secure = secureCookies || request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
        return Cookie(name: Self.cookieName, value: id, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}

/// Refuses every `POST` whose form lacks the session's CSRF token (`_csrf`) with 403, before any
/// handler runs. The body is collected here (forms are small), and handlers decode it again.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    let csrf: CSRFTokens

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        // Every form of the storefront has flat field names, so any of them reads as a dictionary.
        let fields = try? URLEncodedFormDecoder().decode([String: String].self, from: String(buffer: body))
        guard let token = fields?["_csrf"], try await csrf.isValid(token, for: context.sessionID) else {
            context.logger.notice("form post refused: missing or wrong CSRF token")
            throw WebError.csrfRefused
        }
        return try await next(request, context)
    }
}
