import Foundation
import TestSupport
import Testing

/// Issue 19: every service serves `GET /metrics` as Prometheus text (judged by prometheus_client's
/// parser), and one checkout moves the order-flow metrics as it should.
@Suite(
    .serialized, .redisReachable, .postgresReachable,
    .enabled(if: PrometheusText.python != nil, "PROMETHEUS_TEXT_PYTHON (scripts/test)"), .timeLimit(.minutes(3)))
struct MetricsTests {
    @Test func everyServiceServesPrometheusTextAndACheckoutMovesTheFlowMetrics() async throws {
        try await EndToEndSystem.with { system in
            try await Self.withTheOtherServices(system) { others in
                let before = try await PrometheusText.scrape(system.ordering.baseURL)
                let alice = try await system.token("alice")
                _ = try await system.item(1)
                try await system.putBasket([(1, 1)], token: alice)
                let orderId = try await system.checkout(token: alice)
                try await system.waitForOrder(orderId, token: alice, in: ["paid"])

                // Ordering counts the move once it is committed, and its relay publishes the event
                // after that: the order may be paid already.
                let ordering = try await TestRedis.eventually(within: .seconds(10)) {
                    let after = try await PrometheusText.scrape(system.ordering.baseURL)
                    for status in ["submitted", "awaitingStockValidation", "stockConfirmed", "paid"] {
                        let moved = after.value("ordering_orders_total", ["status": status]) - before.value("ordering_orders_total", ["status": status])
                        guard moved == 1 else { throw EndToEndError("ordering_orders_total{status=\(status)} moved by \(moved)") }
                    }
                    guard after.value("eventbus_events_published_total", ["topic": "OrderStatusChangedToPaid"]) == 1 else {
                        throw EndToEndError("OrderStatusChangedToPaid not yet published")
                    }
                    return after
                }
                #expect(ordering.value("ordering_checkout_to_paid_seconds_count") - before.value("ordering_checkout_to_paid_seconds_count") == 1)
                #expect(ordering.value("ordering_orders_total", ["status": "cancelled"]) == before.value("ordering_orders_total", ["status": "cancelled"]))
                #expect(ordering.families["ordering_checkout_to_paid_seconds"]?.type == "histogram")
                #expect(ordering.value("eventbus_events_handled_total", ["topic": "UserCheckoutAccepted", "group": "ordering-api"]) >= 1)
                #expect(ordering.value("state_operations_total", ["store": "orderstore", "result": "success"]) > 0)

                let payment = try await PrometheusText.scrape(system.payment.baseURL)
                #expect(payment.value("payment_payments_total", ["result": "succeeded"]) == 1)

                // Labelled by route template: GET /api/v1/catalog/items/1 is `…/items/{id}`.
                let catalog = try await PrometheusText.scrape(system.catalog.baseURL)
                #expect(catalog.value("http_server_requests_total", ["http_route": "/api/v1/catalog/items/{id}", "http_request_method": "GET"]) >= 1)
                #expect(catalog.samples("http_server_requests_total").allSatisfy { !($0.labels["http_route"] ?? "").contains("/items/1") })
                #expect(catalog.value("postgres_client_work_duration_seconds_count", ["result": "success"]) > 0)

                let basket = try await PrometheusText.scrape(system.basket.baseURL)
                #expect(basket.value("redis_client_command_duration_seconds_count") > 0)
                #expect(basket.value("state_operations_total", ["store": "statestore", "operation": "get"]) > 0)

                // Every service parses, and counts its own requests (at least the readiness probes).
                let all = [
                    ("identity", system.identity.baseURL), ("catalog", system.catalog.baseURL), ("basket", system.basket.baseURL),
                    ("ordering", system.ordering.baseURL), ("payment", system.payment.baseURL),
                ] + others
                for (name, url) in all {
                    let metrics = try await PrometheusText.scrape(url)
                    #expect(metrics.value("http_server_requests_total") > 0, "\(name) counted no request")
                    if name == "state-sidecar" {  // its readiness reads a key of each store
                        #expect(metrics.value("state_operations_total", ["store": "statestore", "operation": "get"]) > 0)
                    }
                }
            }
        }
    }

    /// The storefront, the model store, the model worker (live without a model: its store has
    /// none) and a state sidecar, beside `system`'s services; `body` gets their names and URLs.
    static func withTheOtherServices(
        _ system: EndToEndSystem, _ body: ([(String, String)]) async throws -> Void
    ) async throws {
        let redis = [
            "REDIS_HOST": system.redis.host, "REDIS_PORT": String(system.redis.port), "REDIS_PASSWORD": system.redis.password ?? "",
            "REDIS_DATABASE": String(system.redis.database),
        ]
        let folder = try TemporaryFolder("metrics")
        defer { folder.remove() }
        let models = folder.url.appendingPathComponent("models").path
        let state = folder.url.appendingPathComponent("state").path
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        try await TestServiceProcess.with("ModelStore", environment: ["MODEL_STORE_DIR": models]) { store in
            let worker = redis.merging(["STATE_DIR": state, "MODEL_BASE_URL": store.baseURL + "/none/", "CATALOG_URL": system.catalog.baseURL]) { $1 }
            try await TestServiceProcess.with("ModelWorker", environment: worker, readyPath: "/health/live") { worker in
                let webApp = redis.merging([
                    "IDENTITY_URL": system.identity.baseURL, "CATALOG_URL": system.catalog.baseURL, "BASKET_URL": system.basket.baseURL,
                    "ORDERING_URL": system.ordering.baseURL, "MODEL_WORKER_URL": worker.baseURL,
                ]) { $1 }
                try await TestServiceProcess.with("WebApp", environment: webApp, readyPath: "/health/live") { webApp in
                    try await TestSidecar.with(appID: "metrics-test", components: ["statestore.yaml": TestSidecar.redisComponent()]) { sidecar in
                        try await body([
                            ("webapp", webApp.baseURL), ("model-store", store.baseURL), ("model-worker", worker.baseURL),
                            ("state-sidecar", sidecar.baseURL),
                        ])
                    }
                }
            }
        }
    }
}
