import HTTPTypes
import Hummingbird
import Logging
import Mustache

/// What the storefront refuses, each answered with an HTML page.
enum WebError: Error, Sendable {
    case notFound
    /// Signed in, but not allowed (a buyer on an admin page).
    case forbidden
    /// A form post without the session's CSRF token.
    case csrfRefused
    /// The page needs a signed-in user: 303 to the sign-in page, which comes back to `returnTo`.
    case signInRequired(returnTo: String)
    case badRequest(String)
}

/// Turns every error of a page into an HTML answer: the user gets a page that says what happened
/// and what to do, never a stack trace. A backend that is down gives 503 with `Retry-After`;
/// anything unexpected is logged once, fully, and answered 500 (502 for a backend's bad answer).
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    let renderer: PageRenderer

    struct ErrorPage: Sendable, MustacheParent {
        var chrome: Chrome
        var heading: String
        var message: String

        func child(named key: String) -> Any? {
            switch key {
            case "chrome": chrome
            case "heading": heading
            case "message": message
            default: nil
            }
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return answer(error, context: context)
        }
    }

    func answer(_ error: any Error, context: Context) -> Response {
        func page(_ status: HTTPResponse.Status, _ heading: String, _ message: String) -> Response {
            renderer.page("error", ErrorPage(chrome: Chrome(title: heading, context: context), heading: heading, message: message), status: status)
        }
        switch error {
        case WebError.signInRequired(let returnTo):
            return Response(status: .seeOther, headers: [.location: "/signin?returnUrl=" + returnTo.queryEscaped])
        case WebError.notFound:
            return page(.notFound, "Not found", "There is no such page, product or order.")
        case WebError.forbidden:
            return page(.forbidden, "Not allowed", "This page is for the shop's administrators.")
        case WebError.csrfRefused:
            return page(
                .forbidden, "Form expired",
                "This form did not come from this page or has expired (for example after signing in elsewhere). Go back, reload the page and try again.")
        case WebError.badRequest(let message):
            return page(.badRequest, "Bad request", message)
        case let unavailable as BackendUnavailable:
            context.logger.warning("backend unavailable", metadata: ["error": "\(unavailable)"])
            var response = page(
                .serviceUnavailable, "Temporarily unavailable",
                "The \(unavailable.backend) service is not answering right now. Please try again in a few seconds.")
            response.headers[.retryAfter] = "5"
            return response
        case is DecodingError:
            return page(.badRequest, "Bad request", "The form could not be read. Go back, reload the page and try again.")
        case let httpError as HTTPError:
            if httpError.status == .notFound { return page(.notFound, "Not found", "There is no such page, product or order.") }
            return page(httpError.status, "Bad request", httpError.body ?? "The request could not be understood.")
        case let contractError as BackendContractError:
            context.logger.error("unexpected backend answer", metadata: ["error": "\(String(reflecting: contractError))"])
            return page(.badGateway, "Something went wrong", "A service answered something unexpected; it has been logged.")
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return page(.internalServerError, "Something went wrong", "An unexpected error occurred; it has been logged.")
        }
    }
}
