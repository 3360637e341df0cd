import Hummingbird
import HummingbirdTesting
import ServiceDefaults
import Testing

/// Issue 12, class 7: a routed path asked with a method it does not take is a 405 with `Allow`
/// (RFC 9110 §15.5.6), not a 404; an unknown path and a handler's own 404 stay 404.
@Suite struct ServiceRouterTests {
    func withApp(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router<BasicRequestContext>.service(healthChecks: [])
        router.get("items/:id") { _, context in
            guard context.parameters.get("id") == "1" else { throw HTTPError(.notFound) }
            return "item 1"
        }
        router.put("items/:id") { _, _ in "updated" }
        router.post("items") { _, _ in "created" }
        try await Application(router: ServiceRouter(router)).test(.router, body)
    }

    @Test func aRoutedPathWithAnotherMethodIs405WithAllow() async throws {
        try await withApp { client in
            try await client.execute(uri: "/items/1", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD, PUT")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/items", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
            try await client.execute(uri: "/health/live", method: .post) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD")
            }
        }
    }

    @Test func unknownPathsAndTheHandlersOwn404sStay404() async throws {
        try await withApp { client in
            try await client.execute(uri: "/nothing/here", method: .delete) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/items/2", method: .get) { #expect($0.status == .notFound) }  // the handler's 404
            try await client.execute(uri: "/items/1", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/items/1", method: .head) { #expect($0.status == .ok) }
        }
    }
}
