import HTTPTypes
import Hummingbird

extension ContentSecurityPolicy {
    /// The storefront's policy: everything from our own origin, no inline script or style, no
    /// plugins, no framing, forms only to ourselves.
    static let storefront: ContentSecurityPolicy = [
        .defaultSrc(.self),
        .scriptSrc(.self),
        .styleSrc(.self),
        .imgSrc(.self),
        .objectSrc(.none),
        .baseURI(.none),
        .formAction(.self),
        .frameAncestors(.none),
    ]
}

/// `Referrer-Policy: same-origin`: links to other sites never learn our URLs (which hold order ids).
struct ReferrerPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.referrerPolicy] = "same-origin"
        return response
    }
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
