import Foundation
import PostgresNIO

extension PostgresClient.Configuration {
    /// pgx's default pool size, and so Dapr's (`maxConns` 0): 4, or the number of cores when
    /// there are more.
    public static var defaultPoolSize: Int { max(4, ProcessInfo.processInfo.activeProcessorCount) }

    /// Keeps exactly `size` connections open (`size` ≥ 1), with no keep-alive queries.
    ///
    /// Why not PostgresNIO's default pool (0…20 connections, a `SELECT 1` every 30 s on idle
    /// ones, idle ones closed after 60 s): each time a connection goes back to that pool it starts
    /// a 30 s keep-alive timer and a 60 s idle timer (`Task.sleep`), and cancels both when the
    /// connection is leased again a moment later. A cancelled `Task.sleep` keeps its task and its
    /// Dispatch timer until the original deadline (swiftlang/swift#60441), so a busy service held
    /// about a minute's worth of them: Catalog grew from 90 MB to 220 MB within 48 s of load, and
    /// Dispatch's timer threads took a tenth of its CPU (docs/performance.md). A pool whose
    /// minimum is its maximum has no idle timers, and without keep-alive it has none at all.
    ///
    /// What that gives up: idle connections are not probed. A connection PostgreSQL closes (a
    /// restart) is replaced as soon as the pool sees it close; one that died silently fails its
    /// next query, which answers 503 like any outage (`PostgresClient.withinDeadline`), and is
    /// replaced.
    public mutating func useFixedPool(size: Int = defaultPoolSize) {
        precondition(size >= 1, "a pool needs at least one connection")
        options.minimumConnections = size
        options.maximumConnections = size
        options.keepAliveBehavior = nil
    }
}
