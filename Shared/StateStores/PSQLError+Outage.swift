import PostgresNIO

extension PSQLError {
    /// Whether this error means PostgreSQL is unavailable (an outage: retry later) rather than
    /// that a statement failed.
    ///
    /// Outages: connection failures (refused, closed, TLS or authentication failures, a closed
    /// pool, the pool's circuit breaker) and the server's connection-level SQLSTATE classes: `08`
    /// connection exception, `28` authorization, `3D` unknown database, `53` insufficient
    /// resources, `57` operator intervention (a shutdown, a cancelled statement).
    public var isOutage: Bool {
        switch code {
        case .server:
            return ["08", "28", "3D", "53", "57"].contains(String((serverInfo?[.sqlState] ?? "").prefix(2)))
        case .messageDecodingFailure, .unexpectedBackendMessage, .invalidCommandTag, .tooManyParameters, .listenFailed, .unlistenFailed:
            return false
        default:
            return true
        }
    }
}
