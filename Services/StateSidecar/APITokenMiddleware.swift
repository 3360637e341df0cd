import HTTPTypes
import Hummingbird

/// Refuses HTTP requests without the API token: 401 with a Dapr error body
/// (`ERR_API_TOKEN_INVALID`, Dapr's message "invalid api token"). Open without it, as in Dapr:
/// `GET /v1.0/healthz` and `GET /v1.0/healthz/outbound`, and our `/health/*` endpoints and
/// `GET /metrics` (Dapr serves its metrics on a port of their own, without the token).
struct APITokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: APIToken

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isOpen(request) || token.accepts(request.headers[.daprAPIToken]) {
            return try await next(request, context)
        }
        throw DaprAPIError(.unauthorized, "ERR_API_TOKEN_INVALID", "invalid api token")
    }

    private static func isOpen(_ request: Request) -> Bool {
        let path = request.uri.path
        if path.hasPrefix("/health/") { return true }
        return request.method == .get && ["/v1.0/healthz", "/v1.0/healthz/outbound", "/metrics"].contains(path)
    }
}

extension HTTPField.Name {
    /// Dapr's `dapr-api-token` request header.
    static let daprAPIToken = HTTPField.Name(APIToken.headerName)!
}
