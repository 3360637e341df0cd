import Hummingbird
import PostgresNIO
import RedisClient

/// A dependency the service needs to do its work, checked by `/health/ready`.
public struct HealthCheck: Sendable {
    /// The name shown when the check fails (`redis`, `postgres`, `catalog`).
    public var name: String
    /// Succeeds when the dependency answers.
    public var check: @Sendable () async throws -> Void

    public init(name: String, check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.check = check
    }

    /// Redis answers `PING`.
    public static func redis(_ client: RedisClient) -> HealthCheck {
        HealthCheck(name: "redis") { try await client.ping() }
    }

    /// PostgreSQL answers `SELECT 1`.
    public static func postgres(_ client: PostgresClient) -> HealthCheck {
        HealthCheck(name: "postgres") { _ = try await client.query("SELECT 1").collect() }
    }
}

/// `/health/live` (the process serves HTTP) and `/health/ready` (every registered dependency
/// answers within the timeout). Failing readiness is a 503 problem naming each failing check.
public struct HealthController<Context: RequestContext>: Sendable {
    public let checks: [HealthCheck]
    public let timeout: Duration

    public init(checks: [HealthCheck], timeout: Duration = .seconds(2)) {
        self.checks = checks
        self.timeout = timeout
    }

    public var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("health/live") { _, _ in HealthStatus(status: "live", checks: [:]) }
        routes.get("health/ready") { _, _ in try await ready() }
        return routes
    }

    struct HealthStatus: ResponseEncodable {
        let status: String
        let checks: [String: String]
    }

    func ready() async throws -> HealthStatus {
        let results = await withTaskGroup(of: (String, String?).self) { group in
            for check in checks {
                group.addTask { (check.name, await run(check)) }
            }
            return await group.reduce(into: [String: String?]()) { $0[$1.0] = $1.1 }
        }
        let failures = results.compactMapValues { $0 }
        guard failures.isEmpty else {
            throw ProblemDetails(
                .serviceUnavailable, detail: "not ready: " + failures.keys.sorted().joined(separator: ", "),
                errors: failures.mapValues { [$0] }, retryAfterSeconds: 1)
        }
        return HealthStatus(status: "ready", checks: results.mapValues { _ in "ok" })
    }

    /// The failure message, or `nil` when the check passed in time. A check still running at the
    /// timeout is cancelled; checks must end when cancelled (RedisClient's and PostgresClient's
    /// waits, and AsyncHTTPClient's requests, do).
    private func run(_ check: HealthCheck) async -> String? {
        await withTaskGroup(of: String?.self) { group in
            group.addTask {
                do {
                    try await check.check()
                    return nil
                } catch {
                    return Task.isCancelled ? "no answer within \(timeout)" : "\(error)"
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? nil : "no answer within \(timeout)"
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
