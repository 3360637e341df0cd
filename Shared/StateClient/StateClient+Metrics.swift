import Metrics

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
extension StateClient {
    func measured<Result>(_ operation: String, _ body: () async throws -> Result) async throws -> Result {
        let start = ContinuousClock.now
        let result: Result
        do {
            result = try await body()
        } catch {
            record(operation, since: start, result: StateError(error).code)
            throw error
        }
        record(operation, since: start, result: nil)
        return result
    }

    /// Counts the ETag conflicts among a bulk save's failures.
    func recordConflicts(_ operation: String, _ failures: some Collection<StateError>) {
        let conflicts = failures.count(where: { $0.code == .etagMismatch })
        if conflicts > 0 { conflictCounter(operation).increment(by: conflicts) }
    }

    private func record(_ operation: String, since start: ContinuousClock.Instant, result code: StateError.Code?) {
        let dimensions = [("store", storeName), ("operation", operation)]
        Timer(label: "state_operation_duration_seconds", dimensions: dimensions).record(duration: start.duration(to: .now))
        Counter(label: "state_operations_total", dimensions: dimensions + [("result", code.map { "\($0)" } ?? "success")]).increment()
        if code == .etagMismatch { conflictCounter(operation).increment() }
    }

    private func conflictCounter(_ operation: String) -> Counter {
        Counter(label: "state_etag_conflicts_total", dimensions: [("store", storeName), ("operation", operation)])
    }
}
