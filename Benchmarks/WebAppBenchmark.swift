import AsyncHTTPClient
import Foundation

/// The storefront's catalog page (HTML, pictures not fetched) in req/s beside Catalog's JSON API
/// for the same page (`pageIndex=0&pageSize=12`, what the page asks Catalog for), in the same run
/// against the same Catalog, measured in turn `rounds` times; and the page's weight (HTML, CSS
/// and JS bytes).
struct WebAppBenchmark {
    let settings: HTTPBenchmarkSettings

    func run() async throws {
        let wrk = settings.wrk
        let catalogEnvironment = settings.postgres.environment.merging(["CATALOG_SEED": "true"]) { $1 }
        try await BenchmarkedService.with("Catalog", port: settings.port, environment: catalogEnvironment) { catalog in
            // The storefront's sessions live in the Redis scripts/benchmark started (REDIS_*, inherited).
            let webAppEnvironment = ["CATALOG_URL": catalog.baseURL]
            try await BenchmarkedService.with("WebApp", port: settings.port + 1, environment: webAppEnvironment) { webapp in
                let json = catalog.baseURL + "/api/v1/catalog/items?pageIndex=0&pageSize=12"
                let html = webapp.baseURL + "/"
                var rows: [(json: Double, html: Double)] = []
                for _ in 0..<settings.rounds {
                    rows.append((try await wrk.requestsPerSecond(json), try await wrk.requestsPerSecond(html)))
                }
                let hello = try await wrk.requestsPerSecond(webapp.baseURL + "/health/live")
                var weights: [(String, Int)] = []
                for path in ["/", "/static/site.css", "/static/site.js"] {
                    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: webapp.baseURL + path), timeout: .seconds(10))
                    weights.append((path, try await response.body.collect(upTo: 1 << 22).readableBytes))
                }
                print("webapp, wrk -t\(wrk.threads) -c\(wrk.connections) -d\(wrk.duration)s, \(settings.rounds) rounds in turn, release binaries beside Benchmarks")
                for (round, row) in rows.enumerated() {
                    print(String(format: "  round %d: Catalog JSON page %7.0f req/s, storefront HTML page %7.0f req/s (%.2f ×)", round + 1, row.json, row.html, row.html / row.json))
                }
                let bestJSON = rows.map(\.json).max() ?? 0
                let bestHTML = rows.map(\.html).max() ?? 0
                print(String(format: "  best: JSON %7.0f req/s, HTML %7.0f req/s: %.2f × (goal ≥ 0.5 ×)", bestJSON, bestHTML, bestHTML / bestJSON))
                print(String(format: "  storefront GET /health/live (hello world): %7.0f req/s", hello))
                let total = weights.reduce(0) { $0 + $1.1 }
                print("  page weight: " + weights.map { "\($0.0) \($0.1) B" }.joined(separator: ", ") + ", total \(total) B (goal < 50 KB)")
            }
        }
    }
}
