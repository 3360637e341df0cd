import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import RedisClient

/// Shared by the test targets that need Redis.
///
/// The Redis server `scripts/test` started (`REDIS_HOST`, `REDIS_PORT`, `REDIS_PASSWORD`), and
/// helpers that run a client against it. In database 0, which all tests share, tests isolate by
/// unique keys, never by flushing; a test that needs a keyspace of its own (a whole system, or
/// `SCAN` over a known table) leases a database with ``withDatabase(within:_:)``.
public enum TestRedis {
    public static var configuration: RedisClient.Configuration {
        let environment = ProcessInfo.processInfo.environment
        return RedisClient.Configuration(
            host: environment["REDIS_HOST"] ?? "127.0.0.1",
            port: environment["REDIS_PORT"].flatMap(Int.init) ?? 6379,
            password: environment["REDIS_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 })
    }

    public static let logger = Logger(label: "redis-tests")

    /// A key no other test uses.
    public static func uniqueKey(_ name: String = #function) -> String {
        "test:\(name.prefix { $0 != "(" }):\(UUID().uuidString)"
    }

    /// Runs `body` with a running client; the client stops when `body` returns.
    public static func withClient<Result: Sendable>(
        _ configuration: RedisClient.Configuration = TestRedis.configuration,
        _ body: @Sendable (RedisClient) async throws -> Result
    ) async throws -> Result {
        let client = RedisClient(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Runs `body` with the configuration of a database (1–15) no other caller in this process
    /// holds meanwhile, emptied first of what an earlier holder left. Waits up to `timeout` while
    /// all fifteen are held.
    public static func withDatabase<Result: Sendable>(
        within timeout: Duration = .seconds(600),
        _ body: @Sendable (RedisClient.Configuration) async throws -> Result
    ) async throws -> Result {
        let database = try await TestSupport.eventually("a free Redis database", within: timeout) {
            let free = leasedDatabases.withLock { leased -> Int? in
                guard let free = (1...15).first(where: { !leased.contains($0) }) else { return nil }
                leased.insert(free)
                return free
            }
            guard let free else { throw AllDatabasesHeld() }
            return free
        }
        defer { _ = leasedDatabases.withLock { $0.remove(database) } }
        var configuration = TestRedis.configuration
        configuration.database = database
        try await withClient(configuration) { _ = try await $0.send(RedisCommand("FLUSHDB")) }
        return try await body(configuration)
    }

    private static let leasedDatabases = Mutex<Set<Int>>([])

    private struct AllDatabasesHeld: Error, CustomStringConvertible {
        var description: String { "all of databases 1–15 are held by other tests" }
    }

    /// Polls `body` until it succeeds or `timeout` passes; ``eventually(_:within:_:)`` without
    /// words for what is awaited.
    public static func eventually<Result>(within timeout: Duration, _ body: () async throws -> Result) async throws -> Result {
        try await TestSupport.eventually("the condition", within: timeout, body)
    }

    /// A TCP port nothing listens on right now, never handed out before in this process, and
    /// below Linux' ephemeral range (32768+), so no outgoing connection takes it before the test's
    /// server binds it.
    public static func freePort() async throws -> Int {
        while true {
            let port = Int.random(in: 20_000..<32_000)
            guard handedOutPorts.withLock({ $0.insert(port).inserted }) else { continue }
            guard let channel = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: port).get()
            else { continue }
            try await channel.close()
            return port
        }
    }

    private static let handedOutPorts = Mutex<Set<Int>>([])
}

/// A redis-server of a test's own, on its own port, that the test may stop and start again.
public final class OwnRedisServer: Sendable {
    public let port: Int
    public let password: String
    private let directory: URL

    private let persistent: Bool

    /// - Parameter persistent: keep data across ``stop()``/``start()`` (append-only file, fsync
    ///   on every write), for tests that check what survived an outage.
    public init(persistent: Bool = false) async throws {
        self.persistent = persistent
        port = try await TestRedis.freePort()
        password = "own-\(UUID().uuidString)"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try await start()
    }

    public var configuration: RedisClient.Configuration {
        .init(host: "127.0.0.1", port: port, password: password, connectTimeout: .milliseconds(500))
    }

    private var pidFile: String { directory.appendingPathComponent("redis.pid").path }

    /// Starts the server (daemonized) and waits until it answers.
    public func start() async throws {
        let arguments = [
            ProcessInfo.processInfo.environment["REDIS_SERVER_BIN"] ?? "redis-server",
            "--port", String(port), "--bind", "127.0.0.1", "--daemonize", "yes", "--save", "",
            "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always",
            "--dir", directory.path, "--pidfile", pidFile, "--logfile", directory.appendingPathComponent("redis.log").path,
            "--requirepass", password,
        ]
        _ = try await TestProcess.run(arguments)  // the daemon's parent, which exits at once
        let configuration = self.configuration
        try await eventually("redis-server on port \(port) to answer PING", within: .seconds(10)) {
            try await TestRedis.withClient(configuration) { try await $0.ping() }
        }
    }

    /// Stops the server and waits until its process is gone.
    public func stop() async throws {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
        kill(pid, SIGTERM)
        try await waitUntil("redis-server \(pid) to exit", within: .seconds(10)) { kill(pid, 0) != 0 || Self.isZombie(pid) }
        try? FileManager.default.removeItem(atPath: pidFile)
    }

    /// An exited child that nobody reaped still answers `kill(pid, 0)`.
    private static func isZombie(_ pid: Int32) -> Bool {
        #if !os(Linux)
        return false
        #endif
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return status.split(separator: " ").dropFirst(2).first == "Z"
    }

    public func remove() async throws {
        try await stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
