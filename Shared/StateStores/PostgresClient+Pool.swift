import PostgresNIO

extension PostgresClient.Configuration {
    /// The pool size when none is configured: 4, all of them open from the start. (pgx, Dapr's
    /// driver, allows up to 4 or the number of cores and opens them as needed; a fixed pool sized
    /// by the cores would hold dozens of connections per service on a large host, and
    /// PostgreSQL allows 100 in all by default.)
    public static let defaultPoolSize = 4

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
    /// restart) is replaced as soon as the pool sees it close. One whose peer vanished without
    /// closing it (a host gone from the network) is not: its next query waits, the request
    /// answers 503 after its deadline (`PostgresClient.withinDeadline`), and the connection stays
    /// taken until TCP gives up on it (minutes; PostgresNIO sets no TCP keep-alive). Keep-alive
    /// queries would find it sooner, at the price above. PostgresNIO documents a minimum below the
    /// maximum; its pool handles them equal (no connection is then a "demand" one).
    public mutating func useFixedPool(size: Int = defaultPoolSize) {
        precondition(size >= 1, "a pool needs at least one connection")
        options.minimumConnections = size
        options.maximumConnections = size
        options.keepAliveBehavior = nil
    }
}
