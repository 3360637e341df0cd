import RedisClient

extension HealthCheck {
    /// Polls the checks in order until all pass, for start-up: a dependency that is still starting
    /// gets until `timeout` (from the call) has passed; Redis refusing our credentials
    /// (`RedisError` `authenticationFailed`) fails at once, every other failure — a wrong
    /// PostgreSQL password included — is retried until then.
    public static func waitUntilHealthy(_ checks: [HealthCheck], within timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        for check in checks {
            while true {
                do {
                    try await check.check()
                    break
                } catch let error as RedisError where error.code == .authenticationFailed {
                    throw DependencyError(name: check.name, reason: error.message)
                } catch {
                    guard ContinuousClock.now < deadline else {
                        throw DependencyError(name: check.name, reason: "not reachable within \(timeout): \(error)")
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
    }
}

/// A dependency that is not usable: at start-up (``HealthCheck/waitUntilHealthy(_:within:)``), or
/// during a request, where ``ProblemMiddleware`` answers it with 503 and `Retry-After`.
public struct DependencyError: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var reason: String
    public var description: String { "\(name): \(reason)" }
}
