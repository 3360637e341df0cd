import Hummingbird
import PostgresNIO
import RedisClient
import Synchronization

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

    /// The failure message, or `nil` when the check passed in time. A check that hangs is left
    /// to finish on its own (the clients it calls have their own timeouts); readiness answers anyway.
    private func run(_ check: HealthCheck) async -> String? {
        let outcome = FirstOutcome<String?>()
        return await withCheckedContinuation { continuation in
            outcome.install(continuation)
            Task {
                do {
                    try await check.check()
                    outcome.resolve(nil)
                } catch {
                    outcome.resolve("\(error)")
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                outcome.resolve("no answer within \(timeout)")
            }
        }
    }
}

/// Resumes a continuation with whichever result arrives first and ignores the rest.
final class FirstOutcome<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)

    func install(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resolve(_ value: Value) {
        continuation.withLock { stored in
            stored?.resume(returning: value)
            stored = nil
        }
    }
}
