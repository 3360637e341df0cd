import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// An async Redis client: a pool of pipelined connections that runs as a ServiceLifecycle
/// `Service`.
///
/// ```swift
/// let redis = RedisClient(configuration: .init(host: "localhost", port: 6379), logger: logger)
/// let serviceGroup = ServiceGroup(services: [redis, app], logger: logger)
/// // … anywhere, concurrently:
/// try await redis.set("greeting", to: "hello")
/// let value = try await redis.get("greeting")
/// ```
///
/// Commands are encoded with hiredis' formatter and replies decoded with hiredis' reader; no
/// blocking hiredis call is ever made. Commands from concurrent callers share connections
/// (pipelining); ``withConnection(_:)`` leases one for exclusive use. Command latency, errors,
/// connections and reconnects are recorded through swift-metrics (`RedisClientMetrics.swift`).
public final class RedisClient: Service, Sendable {
    /// Where and how to connect.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// The ACL user for `AUTH user password`; `nil` uses `AUTH password` (the default user).
        public var username: String?
        /// Sent with `AUTH` on every new connection when set. Never logged.
        public var password: String?
        /// The database selected with `SELECT` on every new connection.
        public var database: Int
        /// Shared connections kept open and used by all callers: a caller on an event loop that
        /// has one uses that loop's connection, other callers take them round-robin.
        public var minimumConnections: Int
        /// Shared plus leased connections at most.
        public var maximumConnections: Int
        /// Callers allowed to wait while no connection is up; more fail with `poolExhausted`.
        public var maximumWaiters: Int
        /// How long a TCP connect may take.
        public var connectTimeout: TimeAmount
        /// How long a command may wait for its reply; a timeout closes that connection. The default,
        /// 1.5 s, lets a service answer 503 within 2 s while Redis is frozen (a normal reply takes
        /// microseconds).
        public var commandTimeout: TimeAmount
        /// The first reconnect delay; it doubles per failed attempt (with jitter)…
        public var initialReconnectDelay: TimeAmount
        /// …up to this.
        public var maximumReconnectDelay: TimeAmount

        public init(
            host: String = "127.0.0.1",
            port: Int = 6379,
            username: String? = nil,
            password: String? = nil,
            database: Int = 0,
            minimumConnections: Int = 2,
            maximumConnections: Int = 16,
            maximumWaiters: Int = 1_000,
            connectTimeout: TimeAmount = .seconds(2),
            commandTimeout: TimeAmount = .milliseconds(1_500),
            initialReconnectDelay: TimeAmount = .milliseconds(50),
            maximumReconnectDelay: TimeAmount = .seconds(1)
        ) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
            self.minimumConnections = minimumConnections
            self.maximumConnections = maximumConnections
            self.maximumWaiters = maximumWaiters
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
            self.initialReconnectDelay = initialReconnectDelay
            self.maximumReconnectDelay = maximumReconnectDelay
        }
    }

    public let configuration: Configuration
    private let pool: RedisConnectionPool
    private let metrics: RedisClientMetrics

    /// Creates a client; connections open when ``run()`` starts.
    public init(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        let metrics = RedisClientMetrics()
        self.metrics = metrics
        self.pool = RedisConnectionPool(configuration: configuration, eventLoopGroup: eventLoopGroup, metrics: metrics, logger: logger)
    }

    /// Keeps the connections open until graceful shutdown or cancellation.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await pool.run()
        } onGracefulShutdown: {
            self.pool.shutdown()
        }
    }

    /// Sends one command; a server error reply is thrown as ``RedisError`` (code `server`).
    public func send(_ command: RedisCommand) async throws -> RESPValue {
        try await metrics.measure(command.name) { try await pool.sharedConnection().send(command) }
    }

    /// Sends commands in one write and returns every reply in order; error replies are returned
    /// as values, not thrown, so each command's outcome is visible.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RESPValue] {
        try await metrics.measure("PIPELINE") { try await pool.sharedConnection().pipeline(commands) }
    }

    /// Runs commands atomically with `MULTI` … `EXEC` and returns their replies (errors as values,
    /// as Redis reports them). A command Redis refuses to queue aborts the whole transaction, which
    /// is thrown as a server error.
    public func transaction(_ commands: [RedisCommand]) async throws -> [RESPValue] {
        let replies = try await metrics.measure("MULTI") {
            try await pool.sharedConnection().pipeline([RedisCommand("MULTI")] + commands + [RedisCommand("EXEC")])
        }
        guard let exec = replies.last else { throw RedisError(.unexpectedReply, "no reply to EXEC") }
        switch exec {
        case .array(let results):
            return results
        case .error(let message):
            let cause = replies.dropFirst().dropLast().compactMap(\.errorMessage).first
            throw RedisError(.server, cause.map { "\(message) (\($0))" } ?? message)
        default:
            throw RedisError(.unexpectedReply, "EXEC answered \(exec)")
        }
    }

    /// Runs `body` with a connection nobody else uses meanwhile: for blocking commands
    /// (`XREADGROUP … BLOCK`, `BLPOP`) and `WATCH`, which must not share a connection.
    @discardableResult
    public func withConnection<Result: Sendable>(
        _ body: (RedisConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await pool.lease()
        metrics.leased.increment()
        defer { metrics.leased.decrement() }
        do {
            let result = try await body(connection)
            pool.release(connection)
            return result
        } catch {
            pool.release(connection)
            throw error
        }
    }
}
