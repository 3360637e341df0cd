import Foundation
import NIOCore
import NIOPosix
import Testing

/// The servers an integration test needs, as conditions: a plain `swift test` with no servers
/// skips the suites that need them, naming what was missing; `scripts/test` starts both servers,
/// so there every suite runs.
///
/// Each check is a TCP connection to the configured address (1 s timeout); it does not log in,
/// so a wrong password still fails the test instead of skipping it.
public enum Reachability {
    /// Whether a TCP connection to `REDIS_HOST`:`REDIS_PORT` (default 127.0.0.1:6379) succeeds.
    public static func redis() async -> Bool {
        let configuration = TestRedis.configuration
        return await canConnect(host: configuration.host, port: configuration.port)
    }

    /// Whether a TCP connection to `POSTGRES_HOST`:`POSTGRES_PORT` (default 127.0.0.1:5432) succeeds.
    public static func postgres() async -> Bool {
        let environment = ProcessInfo.processInfo.environment
        return await canConnect(
            host: environment["POSTGRES_HOST"] ?? "127.0.0.1", port: environment["POSTGRES_PORT"].flatMap(Int.init) ?? 5432)
    }

    /// Whether the `redis-server` binary tests start themselves (`REDIS_SERVER_BIN`, else
    /// `redis-server` on `PATH`) exists.
    public static var redisServerInstalled: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let binary = environment["REDIS_SERVER_BIN"] { return FileManager.default.isExecutableFile(atPath: binary) }
        return (environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/redis-server")
        }
    }

    private static func canConnect(host: String, port: Int) async -> Bool {
        guard
            let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(1))
                .connect(host: host, port: port).get()
        else { return false }
        try? await channel.close()
        return true
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs only where Redis answers at `REDIS_HOST`/`REDIS_PORT` (`scripts/test` starts one).
    public static var redisReachable: Self {
        .enabled("Redis reachable per REDIS_HOST/REDIS_PORT") { await Reachability.redis() }
    }

    /// Runs only where PostgreSQL answers at `POSTGRES_HOST`/`POSTGRES_PORT` (`scripts/test` starts one).
    public static var postgresReachable: Self {
        .enabled("PostgreSQL reachable per POSTGRES_HOST/POSTGRES_PORT") { await Reachability.postgres() }
    }

    /// Runs only where the tests can start a `redis-server` of their own.
    public static var redisServerInstalled: Self {
        .enabled(if: Reachability.redisServerInstalled, "redis-server installed (REDIS_SERVER_BIN or PATH)")
    }
}

/// A test case that needs a server which is not there: cancels just that case, for parameterized
/// tests whose arguments differ in what they need (a suite-wide `.enabled(if:)` would skip the
/// cases that need nothing). The console reports a cancelled case as passed, so the reason is
/// also recorded as a warning, which it prints.
public func requireServer(
    _ reachable: () async -> Bool, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    guard await !reachable() else { return }
    Issue.record("skipped: \(what) not reachable", severity: .warning, sourceLocation: sourceLocation)
    try Test.cancel("\(what) not reachable", sourceLocation: sourceLocation)
}
