import AsyncHTTPClient
import EventBus
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RedisClient
import StateClient
import StateStores
import Synchronization

/// Checkout → `paid` latency, p50 and p99, with the grace period 0: Identity, Catalog, Basket,
/// Ordering and Payment as release binaries; one buyer checks out `BENCH_ORDERS` (default 100)
/// baskets one after the other, each timed from the checkout request until a read of the order
/// (polled every millisecond) shows `paid`; the next basket is written over the previous one. Beside it, in the same run, the event bus's raw
/// publish → handled latency (one event at a time over Redis Streams): the order's critical path
/// is four such hops (checkout → Ordering → Catalog → Ordering → Payment → Ordering), each behind
/// a state (or SQL) transaction and an outbox relay. Goal: p50 ≤ 100 ms, p99 ≤ 500 ms.
struct OrderLatencyBenchmark {
    let settings: HTTPBenchmarkSettings
    let redis: RedisClient.Configuration
    let orders: Int

    func run() async throws {
        var environment = settings.postgres.environment.merging(["REDIS_HOST": redis.host, "REDIS_PORT": String(redis.port)]) { $1 }
        if let password = redis.password { environment["REDIS_PASSWORD"] = password }
        let latencies = try await Self.withOrderFlow(port: settings.port, environment: environment) { services in
            let token = try await BasketBenchmark.token(services.identity.baseURL)
            var latencies: [Duration] = []
            for index in 0..<orders {
                latencies.append(
                    try await checkoutToPaid(basket: services.basket.baseURL, ordering: services.ordering.baseURL, token: token, productId: 1 + index % 6))
            }
            return latencies
        }
        let raw = try await rawBusLatencies(count: orders)
        let p50 = Self.percentile(latencies, 0.5), p99 = Self.percentile(latencies, 0.99)
        print("checkout → paid, grace period 0, \(orders) orders one after the other (order read polled every 1 ms)")
        print(String(format: "  checkout → paid          : p50 %7.1f ms, p99 %7.1f ms — goal p50 ≤ 100 ms, p99 ≤ 500 ms: %@", p50, p99,
            p50 <= 100 && p99 <= 500 ? "met" : "missed"))
        print(String(format: "  event bus publish → handled (raw, one hop): p50 %7.2f ms, p99 %7.2f ms", Self.percentile(raw, 0.5), Self.percentile(raw, 0.99)))
    }

    /// The services a checkout goes through, running as release binaries.
    struct OrderFlow: Sendable {
        let identity: BenchmarkedService
        let catalog: BenchmarkedService
        let ordering: BenchmarkedService
        let basket: BenchmarkedService
    }

    /// Starts Identity, Catalog, Ordering (grace period 0), Payment and Basket on `port` … `port + 4`
    /// with `environment` (PostgreSQL, Redis, and whatever else the caller adds), each told where
    /// the ones it calls are, and runs `body` with them; all are stopped however `body` ends.
    static func withOrderFlow<Result: Sendable>(
        port: Int, environment: [String: String], _ body: (OrderFlow) async throws -> Result
    ) async throws -> Result {
        try await BenchmarkedService.with("Identity", port: port, environment: environment) { identity in
            let environment = environment.merging(["IDENTITY_URL": identity.baseURL]) { $1 }
            return try await BenchmarkedService.with("Catalog", port: port + 1, environment: environment) { catalog in
                try await BenchmarkedService.with(
                    "Ordering", port: port + 2, environment: environment.merging(["ORDERING_GRACE_PERIOD_SECONDS": "0"]) { $1 }
                ) { ordering in
                    try await BenchmarkedService.with("Payment", port: port + 3, environment: environment) { _ in
                        try await BenchmarkedService.with(
                            "Basket", port: port + 4, environment: environment.merging(["CATALOG_URL": catalog.baseURL]) { $1 }
                        ) { basket in
                            try await body(OrderFlow(identity: identity, catalog: catalog, ordering: ordering, basket: basket))
                        }
                    }
                }
            }
        }
    }

    /// One basket of one unit checked out, timed until the order reads `paid`.
    func checkoutToPaid(basket: String, ordering: String, token: String, productId: Int) async throws -> Duration {
        _ = try await send(.PUT, basket + "/api/v1/basket", token: token, json: #"{"items":[{"productId":\#(productId),"quantity":1}]}"#)
        let requestId = UUID().uuidString.lowercased()
        let start = ContinuousClock.now
        let checkout = try await send(.POST, basket + "/api/v1/basket/checkout", token: token, json: Self.checkoutBody, idempotencyKey: requestId)
        guard checkout.status == .accepted else { throw BenchmarkError(message: "checkout answered \(checkout.status): \(checkout.body)") }
        let deadline = start + .seconds(30)
        while ContinuousClock.now < deadline {
            let order = try await send(.GET, ordering + "/api/v1/orders/\(requestId)", token: token)
            if order.body.contains(#""status":"paid""#) {
                return ContinuousClock.now - start
            }
            if order.body.contains(#""status":"cancelled""#) { throw BenchmarkError(message: "order \(requestId) was cancelled: \(order.body)") }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw BenchmarkError(message: "order \(requestId) not paid within 30 s")
    }

    /// Publish → handled of one event at a time over Redis Streams, deduplicated through the Redis state store.
    private func rawBusLatencies(count: Int) async throws -> [Duration] {
        let logger = Logger(label: "benchmark")
        let client = RedisClient(configuration: redis, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            let appID = "bench-\(UUID().uuidString.prefix(8).lowercased())"
            let state = StateClient(store: RedisStateStore(client: client, logger: logger), storeName: "statestore", appID: appID)
            let bus = RedisStreamsEventBus(client: client, state: state, configuration: .init(appID: appID, streamPrefix: appID + ":"), logger: logger)
            let handled = HandledCounter()
            bus.subscribe(OrderStatusChangedToPaid.self) { _ in handled.value.add(1, ordering: .relaxed) }
            // The bus runs in a group of its own, so it stops (acknowledging what it handled) before the client.
            return try await withThrowingTaskGroup(of: Void.self) { running in
                running.addTask { try await bus.run() }
                defer { running.cancelAll() }
                var latencies: [Duration] = []
                for index in 1...count {
                    let start = ContinuousClock.now
                    try await bus.publish(EventBusBenchmark.sampleEvent())
                    while handled.value.load(ordering: .relaxed) < index { try await Task.sleep(for: .milliseconds(1)) }
                    latencies.append(ContinuousClock.now - start)
                }
                return latencies
            }
        }
    }

    static let checkoutBody = #"""
        {"street":"1 Main St","city":"Seattle","state":"WA","country":"US","zipCode":"98101","cardNumber":"4111111111111111",
         "cardHolderName":"Alice","cardExpiration":"12/39","cardSecurityCode":"123"}
        """#

    private func send(_ method: HTTPMethod, _ url: String, token: String, json: String? = nil, idempotencyKey: String? = nil) async throws -> (status: HTTPResponseStatus, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (response.status, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// The `fraction` percentile, in milliseconds.
    static func percentile(_ durations: [Duration], _ fraction: Double) -> Double {
        let sorted = durations.sorted()
        guard !sorted.isEmpty else { return 0 }
        let value = sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
        return Double(value.components.seconds) * 1_000 + Double(value.components.attoseconds) / 1e15
    }
}
