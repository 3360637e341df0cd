import AsyncHTTPClient
import Foundation
import NIOCore
import RedisClient

/// `GET /api/v1/basket` with a bearer token (verify the token, read Redis through the state
/// client, price through Catalog's cache), req/s and p99 by `wrk`, beside a hello-world route of
/// the same server (`/health/live`). Identity, Catalog and Basket run as release binaries; the
/// basket holds three items. The two routes are measured in turn for `BENCH_ROUNDS` rounds; the
/// median ratio counts. Goal: ≥ 0.5 × the hello-world req/s.
struct BasketBenchmark {
    let settings: HTTPBenchmarkSettings
    let redis: RedisClient.Configuration

    func run() async throws {
        let postgres = settings.postgres.environment
        var redisEnvironment = ["REDIS_HOST": redis.host, "REDIS_PORT": String(redis.port)]
        if let password = redis.password { redisEnvironment["REDIS_PASSWORD"] = password }
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("wrk-basket-\(UUID().uuidString).lua")
        defer { try? FileManager.default.removeItem(at: script) }
        let wrk = settings.wrk
        let rounds = settings.rounds
        let (ratios, lines) = try await BenchmarkedService.with("Identity", port: settings.port, environment: postgres) { identity in
            let auth = ["IDENTITY_URL": identity.baseURL]
            return try await BenchmarkedService.with("Catalog", port: settings.port + 1, environment: postgres.merging(auth) { $1 }) { catalog in
                try await BenchmarkedService.with(
                    "Basket", port: settings.port + 2,
                    environment: redisEnvironment.merging(auth) { $1 }.merging(["CATALOG_URL": catalog.baseURL]) { $1 }
                ) { basket in
                    let token = try await Self.token(identity.baseURL)
                    try await Self.fillBasket(basket.baseURL, token: token)
                    try "wrk.headers[\"Authorization\"] = \"Bearer \(token)\"\n".write(to: script, atomically: true, encoding: .utf8)
                    // Pairs in turn, so a disturbance of the (shared, 2-core) machine hits both routes.
                    var ratios: [Double] = []
                    var lines: [String] = []
                    for round in 1...rounds {
                        let hello = try await wrk.measure(basket.baseURL + "/health/live")
                        let get = try await wrk.measure(basket.baseURL + "/api/v1/basket", luaScript: script.path)
                        ratios.append(get.requestsPerSecond / hello.requestsPerSecond)
                        lines.append(String(format: "  round %d: GET /health/live %7.0f req/s (p99 %5.2f ms), GET /api/v1/basket %7.0f req/s (p99 %5.2f ms): %.2f ×",
                            round, hello.requestsPerSecond, hello.p99Milliseconds, get.requestsPerSecond, get.p99Milliseconds, ratios.last!))
                    }
                    return (ratios, lines)
                }
            }
        }
        print("basket, wrk -t\(wrk.threads) -c\(wrk.connections) -d\(wrk.duration)s against the release binary (3 items, token verified per request),")
        print("hello world (/health/live) and the basket read in turn, \(rounds) rounds")
        for line in lines { print(line) }
        let median = ratios.sorted()[ratios.count / 2]
        print(String(format: "  median: GET /api/v1/basket at %.2f × hello world — goal ≥ 0.50 %@", median, median >= 0.5 ? "met" : "missed"))
    }

    /// A token for the development buyer `alice`.
    static func token(_ identity: String) async throws -> String {
        var request = HTTPClientRequest(url: identity + "/connect/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "grant_type=password&username=alice&password=Pass123%24"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard let token = body.split(separator: "\"").drop(while: { $0 != "access_token" }).dropFirst(2).first else {
            throw BenchmarkError(message: "no token from Identity: \(response.status) \(body)")
        }
        return String(token)
    }

    static func fillBasket(_ basket: String, token: String) async throws {
        var request = HTTPClientRequest(url: basket + "/api/v1/basket")
        request.method = .PUT
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"items":[{"productId":1,"quantity":2},{"productId":2,"quantity":1},{"productId":3,"quantity":1}]}"#))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        guard response.status == .ok else { throw BenchmarkError(message: "filling the basket answered \(response.status)") }
    }
}
