import Hummingbird
import HummingbirdTesting
import ServiceDefaults
import StateClient
import Testing

/// One mapping of the state client's failures on every service: an unavailable store is a 503
/// with `Retry-After`, a write that kept losing its compare-and-set is a 409, anything else passes.
@Suite(.timeLimit(.minutes(1))) struct StateStoreErrorMiddlewareTests {
    private func app(throwing error: StateError?) -> some ApplicationProtocol {
        let router = Router.service(context: BasicRequestContext.self, healthChecks: [])
        router.group("items").add(middleware: StateStoreErrorMiddleware(subject: "item")).get { _, _ -> String in
            if let error { throw error }
            return "ok"
        }
        return Application(router: router)
    }

    @Test func anUnavailableStoreIs503WithRetryAfter() async throws {
        try await app(throwing: StateError(.unavailable, "connection refused")).test(.router) { client throws in
            let response = try await client.execute(uri: "/items", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "2")
            #expect(response.headers[.contentType] == ProblemDetails.mediaType)
            #expect(String(buffer: response.body).contains("the item store is unavailable"))
        }
    }

    @Test func aLeftoverETagConflictIs409() async throws {
        try await app(throwing: StateError(.etagMismatch, "changed")).test(.router) { client throws in
            #expect(try await client.execute(uri: "/items", method: .get).status == .conflict)
        }
    }

    @Test func otherErrorsAndAnswersPassThrough() async throws {
        try await app(throwing: StateError(.invalidRequest, "bad key")).test(.router) { client throws in
            #expect(try await client.execute(uri: "/items", method: .get).status != .serviceUnavailable)
        }
        try await app(throwing: nil).test(.router) { client throws in
            #expect(try await client.execute(uri: "/items", method: .get).status == .ok)
        }
    }
}
