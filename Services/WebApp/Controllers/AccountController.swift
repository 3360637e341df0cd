import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Sign in with Identity's password grant, and sign out. Signing in starts a new session under a
/// new id (the guest id is dropped), so a session id planted before sign-in is worth nothing after.
struct AccountController: Sendable {
    let storefront: Storefront
    let cookies: SessionMiddleware

    var endpoints: RouteCollection<WebRequestContext> {
        let routes = RouteCollection(context: WebRequestContext.self)
        routes.get("signin", use: signInPage)
        routes.post("signin", use: signIn)
        routes.post("signout", use: signOut)
        return routes
    }

    struct SignInPageView: Sendable, MustacheParent {
        var chrome: Chrome
        var returnUrl: String
        var username: String
        var error: String?

        func child(named key: String) -> Any? {
            switch key {
            case "chrome": chrome
            case "returnUrl": returnUrl
            case "username": username
            case "error": error
            default: nil
            }
        }
    }

    @Sendable func signInPage(_ request: Request, context: WebRequestContext) async throws -> Response {
        let returnUrl = (request.uri.queryParameters.get("returnUrl") ?? "/").localPath
        if context.user != nil { return Response.redirect(to: returnUrl, type: .normal) }
        return storefront.renderer.page(
            "signin", SignInPageView(chrome: Chrome(title: "Sign in", context: context), returnUrl: returnUrl, username: "", error: nil))
    }

    struct SignInForm: Decodable {
        var username: String?
        var password: String?
        var returnUrl: String?
    }

    @Sendable func signIn(_ request: Request, context: WebRequestContext) async throws -> Response {
        let form = try await request.decode(as: SignInForm.self, context: context)
        let userName = (form.username ?? "").trimmingCharacters(in: .whitespaces)
        let password = form.password ?? ""
        let returnUrl = (form.returnUrl ?? "/").localPath
        func again(_ error: String, status: HTTPResponse.Status) -> Response {
            storefront.renderer.page(
                "signin",
                SignInPageView(chrome: Chrome(title: "Sign in", context: context), returnUrl: returnUrl, username: userName, error: error),
                status: status)
        }
        guard !userName.isEmpty, !password.isEmpty else { return again("Enter your user name and password.", status: .badRequest) }
        switch try await storefront.identity.signIn(userName: userName, password: password) {
        case .refused:
            return again("The user name or password is wrong.", status: .badRequest)
        case .throttled(let retryAfter):
            var response = again("Too many wrong passwords. Try again in \(retryAfter ?? "a few") seconds.", status: .tooManyRequests)
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .signedIn(let token, let expiresIn):
            let claims = try AccessTokenPayload(token: token)
            let user = SignedInUser(
                accessToken: token, buyerId: claims.sub, name: claims.name, role: claims.role,
                expiresAt: Date(timeIntervalSinceNow: TimeInterval(expiresIn)))
            let sessionID = try await storefront.sessions.signIn(user)
            try await storefront.sessions.signOut(session: context.sessionID)
            var response = Response.redirect(to: returnUrl, type: .normal)
            response.setCookie(cookies.cookie(sessionID, request: request, maxAge: expiresIn))
            return response
        }
    }

    @Sendable func signOut(_ request: Request, context: WebRequestContext) async throws -> Response {
        try await storefront.sessions.signOut(session: context.sessionID)
        var response = Response.redirect(to: "/?notice=signed-out", type: .normal)
        response.setCookie(cookies.cookie(SessionStore.newID(signedIn: false), request: request, maxAge: nil))
        return response
    }
}
