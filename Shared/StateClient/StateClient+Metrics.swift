import Metrics
import Synchronization

/// What a ``StateClient`` records per call to its store (docs/observability.md):
///
/// - `state_operations_total{store,operation,result}`: `result` is `success` or the
///   ``StateError/Code`` that failed it (`etagMismatch`, `unavailable`, …; `storeFailure` for
///   anything else);
/// - `state_operation_duration_seconds{store,operation}`;
/// - `state_etag_conflicts_total{store,operation}`: compare-and-set writes that lost
///   (`etagMismatch`), a bulk save's counted per item.
///
/// `store` is the component's name (`statestore`, `orderstore`) and `operation` one of `get`,
/// `bulkGet`, `save`, `bulkSave`, `delete`, `transaction`, `query`, `keys`: a bounded label set.
final class StateClientMetrics: Sendable {
    let storeName: String
    /// Each operation's timer and success counter, made on its first call: a lookup in the
    /// metrics factory costs more than this dictionary, and every state call records both (as
    /// ``RedisClientMetrics``' timers). Failures make theirs when they happen.
    private let operations = Mutex<[String: (duration: Timer, successes: Counter)]>([:])

    init(storeName: String) { self.storeName = storeName }

    func record(_ operation: String, duration: Duration, result code: StateError.Code?) {
        let metrics = operations.withLock { operations in
            if let metrics = operations[operation] { return metrics }
            let dimensions = [("store", storeName), ("operation", operation)]
            let made = (
                duration: Timer(label: "state_operation_duration_seconds", dimensions: dimensions),
                successes: Counter(label: "state_operations_total", dimensions: dimensions + [("result", "success")]))
            operations[operation] = made
            return made
        }
        metrics.duration.record(duration: duration)
        guard let code else { return metrics.successes.increment() }
        Counter(label: "state_operations_total", dimensions: [("store", storeName), ("operation", operation), ("result", "\(code)")]).increment()
        if code == .etagMismatch { recordConflicts(operation, count: 1) }
    }

    /// Counts `count` ETag conflicts of one call (a bulk save's are counted per item).
    func recordConflicts(_ operation: String, count: Int) {
        guard count > 0 else { return }
        Counter(label: "state_etag_conflicts_total", dimensions: [("store", storeName), ("operation", operation)]).increment(by: count)
    }
}

extension StateClient {
    func measured<Result>(_ operation: String, _ body: () async throws -> Result) async throws -> Result {
        let start = ContinuousClock.now
        let result: Result
        do {
            result = try await body()
        } catch {
            metrics.record(operation, duration: start.duration(to: .now), result: StateError(error).code)
            throw error
        }
        metrics.record(operation, duration: start.duration(to: .now), result: nil)
        return result
    }

    /// Counts the ETag conflicts among a bulk save's failures.
    func recordConflicts(_ operation: String, _ failures: some Collection<StateError>) {
        metrics.recordConflicts(operation, count: failures.count(where: { $0.code == .etagMismatch }))
    }
}
