import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import Identity

/// `/openapi.yaml` is served, and every response it documents matches a real one.
@Suite(.postgresReachable, .timeLimit(.minutes(1))) struct IdentityOpenAPITests {
    @Test func everyDocumentedResponseMatchesTheService() async throws {
        try await IdentityFixture.with { fixture throws in
            try await fixture.test { client throws in
                let served = try await client.execute(uri: "/openapi.yaml", method: .get)
                #expect(served.headers[.contentType] == "application/yaml")
                let checker = try OpenAPIChecker(yaml: String(buffer: served.body))
                func check(_ method: HTTPRequest.Method, _ path: String, _ response: TestResponse) {
                    let problems = checker.check(
                        method: method.rawValue, path: path, status: Int(response.status.code), contentType: response.headers[.contentType],
                        body: Array(buffer: response.body))
                    #expect(problems.isEmpty, "\(method) \(path): \(problems)")
                }
                check(.get, "/openapi.yaml", served)
                check(.post, "/connect/token", try await client.login("alice"))
                check(.post, "/connect/token", try await client.login("alice", "wrong"))
                check(.post, "/connect/token", try await client.token([("grant_type", "refresh_token")]))
                for _ in 0..<3 { _ = try await client.login("bob", "wrong") }
                check(.post, "/connect/token", try await client.login("bob"))
                check(.get, "/.well-known/openid-configuration", try await client.execute(uri: "/.well-known/openid-configuration", method: .get))
                check(.get, "/.well-known/jwks.json", try await client.execute(uri: "/.well-known/jwks.json", method: .get))
                #expect(checker.seenResponses == checker.documentedResponses)
            }
        }
    }
}
