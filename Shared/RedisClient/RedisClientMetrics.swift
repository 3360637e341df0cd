import Metrics
import Synchronization

/// What a ``RedisClient`` records (docs/observability.md):
///
/// - `redis_client_command_duration_seconds{command}`: from asking for a connection to the reply,
///   by command name (`HSET`, `EVALSHA`; `PIPELINE` and `MULTI` for several at once);
/// - `redis_client_errors_total{command,code}`: failed commands by ``RedisError/Code`` (`server`,
///   `timeout`, `connectionFailed`, …); `code="other"` for cancellation and the like;
/// - `redis_client_connections_leased`: connections held by ``RedisClient/withConnection(_:)``
///   callers (blocking reads), a gauge;
/// - `redis_client_connections_open{kind}`: open `shared` and `leased` connections;
/// - `redis_client_reconnects_total`: shared connections reopened after one closed;
/// - `redis_client_connect_failures_total`: failed connection attempts.
///
/// The blocking reads on leased connections are left out of the command latency (they wait on
/// purpose). Command names come from the code, never from data, so the label set stays bounded.
final class RedisClientMetrics: Sendable {
    /// Timers by command name: made once each, as a lookup in the factory costs more than the
    /// dictionary.
    private let timers = Mutex<[String: Timer]>([:])
    let leased = Meter(label: "redis_client_connections_leased")
    let sharedOpen = Meter(label: "redis_client_connections_open", dimensions: [("kind", "shared")])
    let leasedOpen = Meter(label: "redis_client_connections_open", dimensions: [("kind", "leased")])
    let reconnects = Counter(label: "redis_client_reconnects_total")
    let connectFailures = Counter(label: "redis_client_connect_failures_total")

    /// Runs `body` (one command, named `command`), recording its duration or its error.
    func measure<Result>(_ command: String, _ body: () async throws -> Result) async throws -> Result {
        let start = ContinuousClock.now
        do {
            let result = try await body()
            timer(command).record(duration: start.duration(to: .now))
            return result
        } catch {
            let code = (error as? RedisError).map { "\($0.code)" } ?? "other"
            Counter(label: "redis_client_errors_total", dimensions: [("command", command), ("code", code)]).increment()
            throw error
        }
    }

    private func timer(_ command: String) -> Timer {
        timers.withLock { timers in
            if let timer = timers[command] { return timer }
            let timer = Timer(label: "redis_client_command_duration_seconds", dimensions: [("command", command)])
            timers[command] = timer
            return timer
        }
    }
}
