import HTTPTypes
import Hummingbird

/// The storefront's request context: the browser session (``SessionMiddleware`` fills it in).
struct WebRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The session id from the `eshop_session` cookie, or a new guest id.
    var sessionID: String = ""
    /// The signed-in user, `nil` for a guest.
    var user: SignedInUser?
    /// The CSRF token of this session, for the forms of the page.
    var csrfToken: String = ""

    /// Pages post HTML forms (`application/x-www-form-urlencoded`).
    var requestDecoder: URLEncodedFormDecoder { URLEncodedFormDecoder() }

    init(source: Source) {
        coreContext = CoreRequestContextStorage(source: source)
    }

    /// The signed-in user, or ``WebError/signInRequired`` (a redirect to the sign-in page).
    func requireUser(returnTo path: String) throws(WebError) -> SignedInUser {
        guard let user else { throw .signInRequired(returnTo: path) }
        return user
    }

    /// The signed-in admin; a buyer gets 403.
    func requireAdmin(returnTo path: String) throws(WebError) -> SignedInUser {
        let user = try requireUser(returnTo: path)
        guard user.isAdmin else { throw .forbidden }
        return user
    }
}
