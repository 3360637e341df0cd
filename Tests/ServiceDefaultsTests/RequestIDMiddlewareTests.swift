import Hummingbird
import HummingbirdTesting
import ServiceDefaults
import Testing

@Suite(.timeLimit(.minutes(1))) struct RequestIDMiddlewareTests {
    private func makeApplication() -> some ApplicationProtocol {
        let router = Router.service(context: BasicRequestContext.self, healthChecks: [])
        router.get("id") { _, context in context.logger[metadataKey: "request.id"]?.description ?? "none" }
        return Application(router: router)
    }

    @Test func echoesTheCallersRequestIDAndLogsWithIt() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/id", method: .get, headers: [.requestID: "abc-123"]) { response in
                #expect(response.headers[.requestID] == "abc-123")
                #expect(String(buffer: response.body) == "abc-123")
            }
        }
    }

    @Test func createsAnIDWhenThereIsNoneOrItIsUnreasonable() async throws {
        try await makeApplication().test(.router) { client in
            for headers: HTTPFields in [[:], [.requestID: String(repeating: "x", count: 500)], [.requestID: "has space"]] {
                try await client.execute(uri: "/id", method: .get, headers: headers) { response in
                    let id = try #require(response.headers[.requestID])
                    #expect(id.count == 36)
                    #expect(String(buffer: response.body) == id)
                }
            }
        }
    }

    @Test func tagsErrorResponsesToo() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/nowhere", method: .get, headers: [.requestID: "trace-me"]) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.requestID] == "trace-me")
            }
        }
    }
}
