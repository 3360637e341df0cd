import PostgresNIO
import StateClient
import StateStores

extension PostgresClient {
    /// How long a request's PostgreSQL work may take before the request answers 503: during an
    /// outage every answer comes within 2 s.
    public static let requestDeadline: Duration = .milliseconds(1_500)

    /// Runs a request's PostgreSQL work within `deadline`, so that a frozen or unreachable server
    /// is a ``DependencyError`` (503 with `Retry-After` through ``ProblemMiddleware``) instead of
    /// a hang or a 500.
    ///
    /// ```swift
    /// try await client.withinDeadline { client in try await client.query("SELECT …", logger: logger).collect() }
    /// ```
    ///
    /// PostgresNIO waits for the server as long as it takes and cannot cancel a query in flight:
    /// with PostgreSQL stopped (SIGSTOP), requests hung for the whole outage. At the deadline the
    /// work is cancelled and left to end on its own (``withDeadline(_:_:)``); put everything that
    /// waits on the server inside `work`, reading the rows included. Outages the client reports
    /// (`PSQLError.isOutage`: refused or closed connections, connection-level SQLSTATEs) become a
    /// ``DependencyError`` too; every other error is thrown as it is. Its time and outcome are
    /// recorded (``PostgresClientMetrics``).
    public func withinDeadline<Result: Sendable>(
        _ deadline: Duration = requestDeadline, _ work: @escaping @Sendable (PostgresClient) async throws -> Result
    ) async throws -> Result {
        try await PostgresClientMetrics.measure {
            do {
                return try await withDeadline(deadline) { try await work(self) }
            } catch let error as DeadlineExceeded {
                throw DependencyError(name: "PostgreSQL", reason: "\(error)")
            } catch let error as PSQLError where error.isOutage {
                throw DependencyError(name: "PostgreSQL", reason: "unavailable (\(error.code))")
            } catch let error as PostgresTransactionError {
                if let inner = (error.closureError ?? error.beginError ?? error.commitError) as? PSQLError, inner.isOutage {
                    throw DependencyError(name: "PostgreSQL", reason: "unavailable (\(inner.code))")
                }
                throw error
            }
        }
    }
}
