import Logging
import PostgresNIO
import StateClient

extension PostgresStateStore {
    /// Runs one round of the expiry cleanup now, as ``run()`` does every `cleanupInterval`.
    ///
    /// Replicas coordinate through `last-cleanup` in the metadata table, as Dapr's sidecars do: in
    /// one transaction, the round upserts `last-cleanup = now()` only if the recorded time is at
    /// least `cleanupInterval` (less 100 ms of slack) old, and only the replica whose upsert wins
    /// deletes `expiredate <= now()` rows. A concurrent replica waits on the row lock, then finds
    /// the fresh time and skips. With the cleanup disabled, every call is due.
    ///
    /// - Returns: how many rows were deleted, or `nil` when another round ran within the interval.
    @discardableResult
    public func cleanupExpiredItems() async throws -> Int? {
        let tables = try tables
        let logger = logger
        let interval = cleanupInterval.map { max($0 - .milliseconds(100), .zero) } ?? .zero
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        return try await mappingErrors("cleanup") {
            try await client.withTransaction(logger: logger) { connection -> Int? in
                let won = try await connection.rows(
                    """
                    INSERT INTO \(unescaped: tables.metadata.sql) AS m (key, value) VALUES ('last-cleanup', now()::text)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    WHERE m.value::timestamptz <= now() - make_interval(secs => \(seconds))
                    RETURNING key
                    """, logger: logger)
                guard !won.isEmpty else { return nil }
                let deleted = try await connection.rows(
                    """
                    WITH deleted AS (
                        DELETE FROM \(unescaped: tables.state.sql) WHERE expiredate IS NOT NULL AND expiredate <= now() RETURNING 1
                    )
                    SELECT count(*) FROM deleted
                    """, logger: logger)
                return try deleted.first?.decode(Int.self) ?? 0
            }
        }
    }

    /// Cleans up at once, then every `interval`, until cancelled; failures are logged and retried
    /// at the next tick.
    func runCleanup(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                if let deleted = try await cleanupExpiredItems() {
                    logger.debug("Deleted expired state", metadata: ["postgres.table": "\((try? tables.state.description) ?? "")", "count": "\(deleted)"])
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("Expired state cleanup failed", metadata: ["error": "\(error)"])
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }
}
