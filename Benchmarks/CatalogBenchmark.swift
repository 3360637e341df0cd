import Foundation

/// Catalog's page GET req/s (`wrk` against the release binary) beside a hello-world route of the
/// same server (`/health/live`) and `pgbench` running the page's SELECT on the same database.
struct CatalogBenchmark {
    let settings: HTTPBenchmarkSettings

    func run() async throws {
        let wrk = settings.wrk
        let (page, item, hello, ready) = try await BenchmarkedService.with(
            "Catalog", port: settings.port, environment: settings.postgres.environment.merging(["CATALOG_SEED": "true"]) { $1 }
        ) { service in
            (
                try await wrk.requestsPerSecond(service.baseURL + "/api/v1/catalog/items?pageIndex=1&pageSize=10"),
                try await wrk.requestsPerSecond(service.baseURL + "/api/v1/catalog/items/1"),
                try await wrk.requestsPerSecond(service.baseURL + "/health/live"),
                try await wrk.requestsPerSecond(service.baseURL + "/health/ready")
            )
        }
        let select = try await settings.pgbench.transactionsPerSecond(
            sql: Self.pageSQL, protocolMode: "extended", clients: wrk.connections, threads: wrk.threads,
            transactionsPerClient: settings.pgbenchTransactions)
        let preparedSelect = try await settings.pgbench.transactionsPerSecond(
            sql: Self.pageSQL, protocolMode: "prepared", clients: wrk.connections, threads: wrk.threads,
            transactionsPerClient: settings.pgbenchTransactions)
        print("catalog, wrk -t\(wrk.threads) -c\(wrk.connections) -d\(wrk.duration)s against the service binary beside Benchmarks")
        print(String(format: "  GET /health/live (hello world)      : %9.0f req/s", hello))
        print(String(format: "  GET /health/ready (SELECT 1)        : %9.0f req/s  (one round trip through the same PostgresClient)", ready))
        print(String(format: "  pgbench -M prepared, the page's SELECT: %7.0f tps  (planned once per connection, as the service sends it)", preparedSelect))
        print(String(format: "  pgbench -M extended, the page's SELECT: %7.0f tps  (parsed and planned per statement)", select))
        print(String(format: "  GET /api/v1/catalog/items (page)    : %9.0f req/s  (%.2f × hello world, %.2f × SELECT 1 route, %.2f × pgbench -M prepared)", page, page / hello, page / ready, page / preparedSelect))
        print(String(format: "  GET /api/v1/catalog/items/1         : %9.0f req/s  (%.2f × hello world)", item, item / hello))
    }

    /// The SELECT the page endpoint runs for `pageIndex=1&pageSize=10` without filters.
    static let pageSQL = """
        SELECT i.id, i.name, i.description, i.price::text, i.picture_file_name, i.catalog_type_id, i.catalog_brand_id,
            i.available_stock, i.restock_threshold, i.max_stock_threshold, count(*) OVER ()
        FROM catalog.catalog_items i
        WHERE (NULL::integer IS NULL OR i.catalog_brand_id = NULL::integer)
          AND (NULL::integer IS NULL OR i.catalog_type_id = NULL::integer)
          AND (NULL::text IS NULL OR starts_with(i.name, NULL::text))
        ORDER BY i.name, i.id LIMIT 10 OFFSET 10;
        """
}

/// Identity's token endpoint req/s beside a hello-world route of the same server and the rate
/// of bcrypt verifications the machine manages (the endpoint's floor by design).
struct IdentityBenchmark {
    let settings: HTTPBenchmarkSettings

    func run() async throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("wrk-token-\(UUID().uuidString).lua")
        try """
        wrk.method = "POST"
        wrk.body = "grant_type=password&username=alice&password=Pass123%24"
        wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
        """.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let wrk = settings.wrk
        let (token, hello) = try await BenchmarkedService.with(
            "Identity", port: settings.port,
            environment: settings.postgres.environment.merging(["IDENTITY_LOGIN_MAX_FAILURES": "1000000"]) { $1 }
        ) { service in
            (
                try await wrk.requestsPerSecond(service.baseURL + "/connect/token", luaScript: script.path),
                try await wrk.requestsPerSecond(service.baseURL + "/health/live")
            )
        }
        let bcrypt = try await BcryptRate.verificationsPerSecond(cost: 10, seconds: wrk.duration)
        print("identity, wrk -t\(wrk.threads) -c\(wrk.connections) -d\(wrk.duration)s against the service binary beside Benchmarks (bcrypt cost 10)")
        print(String(format: "  GET /health/live (hello world)      : %9.0f req/s", hello))
        print(String(format: "  bcrypt verify, every core           : %9.1f /s", bcrypt))
        print(String(format: "  POST /connect/token                 : %9.1f req/s  (%.2f × bcrypt verify)", token, token / bcrypt))
    }
}
