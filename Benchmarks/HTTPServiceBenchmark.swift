import AsyncHTTPClient
import Foundation
import ServiceDefaults

/// A service's release executable run for a benchmark (beside the Benchmarks executable) as a
/// ``RunningProcess``, its output printed with its name in front.
struct BenchmarkedService: Sendable {
    let name: String
    let baseURL: String

    /// Starts `executable` on `port` with `environment`, waits up to 60 s for `/health/ready`, and
    /// runs `body` with it; the service gets SIGTERM (SIGKILL after 10 s) however `body` ends.
    static func with<Result: Sendable>(
        _ executable: String, port: Int, environment: [String: String], _ body: (BenchmarkedService) async throws -> Result
    ) async throws -> Result {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        var environment = environment
        environment["HTTP_PORT"] = String(port)
        environment["LOG_LEVEL"] = "warning"
        let service = BenchmarkedService(name: executable, baseURL: "http://127.0.0.1:\(port)")
        return try await RunningProcess.run(
            [directory + "/" + executable], environment: environment, grace: .seconds(10),
            onLine: { print("  [\(executable)] \($0)") }
        ) { _ in
            try await service.waitUntilReady()
            return try await body(service)
        }.result
    }

    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: baseURL + "/health/ready"), timeout: .seconds(1)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchmarkError(message: "\(name) did not become ready within 60 s")
    }
}

/// `wrk` against one URL: requests per second, and the share of non-2xx answers.
struct WrkTool {
    let executable: String
    let threads: Int
    let connections: Int
    let duration: Int

    /// Requests per second for `url`; `luaScript` (a file) sets the method, body and headers.
    func requestsPerSecond(_ url: String, luaScript: String? = nil) async throws -> Double {
        try await measure(url, luaScript: luaScript).requestsPerSecond
    }

    /// Requests per second and the median and 99th-percentile latencies (ms) of `url`.
    func measure(_ url: String, luaScript: String? = nil) async throws -> (requestsPerSecond: Double, p50Milliseconds: Double, p99Milliseconds: Double) {
        var arguments = ["-t", String(threads), "-c", String(connections), "-d", "\(duration)s", "--latency"]
        if let luaScript { arguments += ["-s", luaScript] }
        let output = try await runTool(executable, arguments + [url])
        if output.contains("Non-2xx or 3xx responses") {
            throw BenchmarkError(message: "wrk saw error responses from \(url):\n\(output)")
        }
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let line = lines.first(where: { $0.hasPrefix("Requests/sec:") }),
            let value = Double(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)),
            let p50 = lines.first(where: { $0.hasPrefix("50%") }).flatMap({ Self.milliseconds(String($0.dropFirst(3))) }),
            let p99 = lines.first(where: { $0.hasPrefix("99%") }).flatMap({ Self.milliseconds(String($0.dropFirst(3))) })
        else { throw BenchmarkError(message: "could not read wrk's output: \(output)") }
        return (value, p50, p99)
    }

    /// wrk's `1.23ms`, `456.00us` or `1.20s` in milliseconds.
    static func milliseconds(_ text: String) -> Double? {
        let text = text.trimmingCharacters(in: .whitespaces)
        for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1_000.0)] where text.hasSuffix(unit) {
            return Double(text.dropLast(unit.count)).map { $0 * factor }
        }
        return nil
    }
}

/// `pgbench` running one SQL script: transactions (here: statements) per second.
///
/// It runs a fixed number of transactions per client (`-t`) rather than for a time (`-T`), as
/// the figures in docs/performance.md were measured. (`-T` once never fired: Foundation's
/// `Process` passed on this process' blocked signals, SIGALRM among them; swift-subprocess starts
/// tools with an empty signal mask.)
struct PgbenchTool {
    let executable: String
    let postgres: PostgresBenchmarkSettings

    /// `protocolMode` is pgbench's `-M`: `prepared` (parsed and planned once per connection) or
    /// `extended` (parsed and planned per statement, as PostgresNIO's unnamed statements are).
    func transactionsPerSecond(sql: String, protocolMode: String, clients: Int, threads: Int, transactionsPerClient: Int) async throws -> Double {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("pgbench-\(UUID().uuidString).sql")
        try sql.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let output = try await runTool(
            executable,
            ["-n", "-M", protocolMode, "-c", String(clients), "-j", String(threads), "-t", String(transactionsPerClient),
             "-h", postgres.host, "-p", String(postgres.port), "-U", postgres.user, "-f", script.path, postgres.database],
            environment: ["PGPASSWORD": postgres.password ?? ""])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let value = Double(line.dropFirst("tps = ".count).split(separator: " ")[0])
        else { throw BenchmarkError(message: "could not read pgbench's output: \(output)") }
        return value
    }
}
