import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceDefaults
import Testing

@Suite(.timeLimit(.minutes(1))) struct ProblemMiddlewareTests {
    struct Order: Decodable { let quantity: Int }
    struct Leak: Error { let secret = "connection string with password" }

    private func makeApplication(logs: CapturedLogs = CapturedLogs()) -> some ApplicationProtocol {
        let router = Router.service(context: BasicRequestContext.self, healthChecks: [])
        router.get("validation") { _, _ -> String in
            throw ProblemDetails(.badRequest, detail: "2 fields are invalid", errors: ["quantity": ["must be 1…99"], "street": ["is required"]])
        }
        router.get("missing") { _, _ -> String in throw HTTPError(.notFound, message: "no basket for bob") }
        router.get("unavailable") { _, _ -> String in throw ProblemDetails(.serviceUnavailable, retryAfterSeconds: 5) }
        router.get("bug") { _, _ -> String in throw Leak() }
        router.post("orders") { request, context -> String in
            let order = try await request.decode(as: Order.self, context: context)
            return "\(order.quantity)"
        }
        return Application(router: router, logger: logs.logger)
    }

    private func problem(_ response: TestResponse) throws -> [String: Any] {
        #expect(response.headers[.contentType] == "application/problem+json")
        return try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test func sendsThrownProblemsAsTheyAreWithTheRequestPath() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/validation", method: .get) { response in
                #expect(response.status == .badRequest)
                let body = try problem(response)
                #expect(body["status"] as? Int == 400)
                #expect(body["title"] as? String == "Bad Request")
                #expect(body["type"] as? String == "about:blank")
                #expect(body["instance"] as? String == "/validation")
                #expect((body["errors"] as? [String: [String]])?["street"] == ["is required"])
            }
        }
    }

    @Test func turnsHTTPErrorsAndUnknownRoutesIntoProblems() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/missing", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try problem(response)
                #expect(body["detail"] as? String == "no basket for bob")
            }
            try await client.execute(uri: "/no/such/route", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try problem(response)
                #expect(body["status"] as? Int == 404)
            }
        }
    }

    @Test func answersUndecodableBodiesWith400NamingTheField() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/orders", method: .post, body: ByteBuffer(string: #"{"quantity":"two"}"#)) { response in
                #expect(response.status == .badRequest)
                let body = try problem(response)
                #expect((body["detail"] as? String)?.contains("quantity") == true)
            }
            try await client.execute(uri: "/orders", method: .post, body: ByteBuffer(string: "{not json")) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func sendsRetryAfterWithServiceUnavailable() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/unavailable", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
            }
        }
    }

    @Test func logsUnexpectedErrorsOnceFullyAndTellsTheClientNothing() async throws {
        let logs = CapturedLogs()
        try await makeApplication(logs: logs).test(.router) { client in
            try await client.execute(uri: "/bug", method: .get) { response in
                #expect(response.status == .internalServerError)
                let body = try problem(response)
                #expect(!"\(body)".contains("password"))
                #expect(!"\(body)".contains("Leak"))
            }
        }
        let logged = logs.entries.filter { $0.message == "unhandled error" }
        #expect(logged.count == 1)
        #expect(logged.first?.level == .error)
        #expect(logged.first?.metadata["error"]?.contains("connection string with password") == true)
        #expect(logged.first?.metadata["request.id"] != nil)
    }
}
