import GRPCCore

/// Refuses gRPC calls without the API token in the `dapr-api-token` metadata:
/// `UNAUTHENTICATED`, with Dapr's messages.
struct APITokenInterceptor: ServerInterceptor {
    let token: APIToken

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let presented = request.metadata[stringValues: APIToken.headerName].first(where: { _ in true })
        guard presented != nil else { throw RPCError(code: .unauthenticated, message: "missing api token in request metadata") }
        guard token.accepts(presented) else { throw RPCError(code: .unauthenticated, message: "authentication error: api token mismatch") }
        return try await next(request, context)
    }
}
