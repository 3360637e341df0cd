import Hummingbird
import HummingbirdTesting
@testable import ServiceDefaults
import Testing

/// Issue 19: request metrics are labelled by route template, never by the path a client sent, so
/// ids and made-up paths cannot grow the label set; `GET /metrics` serves them as Prometheus text.
/// (Every service's output is parsed by prometheus_client in EndToEndTests' `MetricsTests`.)
@Suite(.timeLimit(.minutes(1))) struct MetricsTests {
    /// A router as every service gets it, with one route of a path no other test uses (the
    /// registry is the process's).
    func withApp(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        ServiceMetrics.bootstrap()
        let router = Router<BasicRequestContext>.service(healthChecks: [])
        router.get("api/v1/metrics-test/items/:id") { _, _ in "item" }
        try await Application(router: ServiceRouter(router)).test(.router, body)
    }

    /// The `http_server_requests_total` lines of `/metrics`.
    func requestLines(_ client: any TestClientProtocol) async throws -> [Substring] {
        let text = try await client.execute(uri: "/metrics", method: .get) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            return String(buffer: response.body)
        }
        return text.split(separator: "\n").filter { $0.hasPrefix("http_server_requests_total{") }
    }

    @Test func aRequestIsLabelledWithItsRouteTemplate() async throws {
        try await withApp { client in
            for id in [17, 18, 19] {
                try await client.execute(uri: "/api/v1/metrics-test/items/\(id)", method: .get) { #expect($0.status == .ok) }
            }
            let lines = try await requestLines(client).filter { $0.contains("metrics-test") }
            #expect(lines.count == 1, "one series for three ids: \(lines)")
            let line = try #require(lines.first)
            #expect(line.contains(#"http_route="/api/v1/metrics-test/items/{id}""#))
            #expect(line.contains(#"http_request_method="GET""#))
            #expect(line.contains(#"http_response_status_code="200""#))
            #expect(line.hasSuffix(" 3"))
        }
    }

    @Test func unknownPathsShareOneLabelWhateverTheirNumber() async throws {
        try await withApp { client in
            for id in 0..<25 {
                try await client.execute(uri: "/metrics-test-unknown/\(id)", method: .get) { #expect($0.status == .notFound) }
            }
            let after = try await requestLines(client)
            #expect(!after.contains { $0.contains("metrics-test-unknown") })
            // one series for every unmatched GET answered 404 (other suites' requests may add
            // series of their own routes meanwhile)
            let unmatched = after.filter { $0.contains(#"http_route="NotFound""#) && $0.contains(#"http_request_method="GET""#) }
            #expect(unmatched.count == 1, "\(after)")
            #expect(unmatched.first?.contains(#"http_response_status_code="404""#) == true)
        }
    }
}

/// Names and label names in Prometheus' form: Hummingbird's renamed, valid ones kept, any other
/// byte replaced by `_`.
@Suite struct PrometheusNameTests {
    @Test(arguments: [
        ("hb.requests", "http_server_requests_total"),
        ("http.server.request.duration", "http_server_request_duration_seconds"),
        ("state_operations_total", "state_operations_total"),
        ("http.request.method", "http_request_method"),
        ("app-id", "app_id"),
        ("caf\u{E9}", "caf__"),
        ("", ""),
    ])
    func prometheusName(_ name: String, _ expected: String) {
        #expect(ServiceMetrics.prometheusName(name) == expected)
    }
}
