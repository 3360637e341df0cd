import Metrics

/// What a request's PostgreSQL work records, through ``PostgresClient/withinDeadline(_:_:)``
/// (docs/observability.md):
///
/// - `postgres_client_work_duration_seconds{result}`: one request's queries, from the first
///   connection lease to the last row; `result` is `success`, `unavailable` (refused, closed or
///   past the deadline: the request answered 503) or `error` (the server refused the SQL);
/// - `postgres_client_errors_total{kind}`: the failures among them, `unavailable` or `error`.
///
/// PostgresNIO 1.33 reports its pool's events (connects, leases, closes) to its background
/// logger only — its pool observer is internal — so pool use is not among them; the state
/// store's queries are measured by the state client (`state_operation_duration_seconds{store="orderstore"}`).
enum PostgresClientMetrics {
    static func measure<Result>(_ body: () async throws -> Result) async throws -> Result {
        let start = ContinuousClock.now
        do {
            let result = try await body()
            record(since: start, result: "success")
            return result
        } catch {
            let kind = error is DependencyError ? "unavailable" : "error"
            record(since: start, result: kind)
            Counter(label: "postgres_client_errors_total", dimensions: [("kind", kind)]).increment()
            throw error
        }
    }

    private static func record(since start: ContinuousClock.Instant, result: String) {
        Timer(label: "postgres_client_work_duration_seconds", dimensions: [("result", result)]).record(duration: start.duration(to: .now))
    }
}
