import Foundation
import Logging
import NIOCore
import NIOPosix

/// One connection to a Redis server, shared by any number of concurrent callers: their commands
/// are pipelined and their replies matched in order.
///
/// Usually you use ``RedisClient``, which keeps a pool of these; a lease from
/// ``RedisClient/withConnection(_:)`` hands one out for exclusive use (blocking commands).
public final class RedisConnection: Sendable {
    /// A number unique within the process, for logs.
    public let id: Int
    let channel: any Channel
    private let commandTimeout: TimeAmount

    init(id: Int, channel: any Channel, commandTimeout: TimeAmount) {
        self.id = id
        self.channel = channel
        self.commandTimeout = commandTimeout
    }

    /// Opens a connection and authenticates and selects the database as configured.
    static func connect(
        id: Int,
        configuration: RedisClient.Configuration,
        eventLoop: any EventLoop,
        logger: Logger
    ) async throws -> RedisConnection {
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(configuration.connectTimeout)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RedisChannelHandler())
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            throw RedisError(
                .connectionFailed,
                "cannot connect to \(configuration.host):\(configuration.port): \(Self.reason(error))")
        }
        let connection = RedisConnection(id: id, channel: channel, commandTimeout: configuration.commandTimeout)
        do {
            try await connection.handshake(configuration)
        } catch {
            connection.close()
            throw error
        }
        logger.debug("redis connection opened", metadata: ["redis.connection": "\(id)"])
        return connection
    }

    /// The root cause of a failed connect, in a few words ("Connection refused", "timed out").
    private static func reason(_ error: any Error) -> String {
        switch error {
        case let connection as NIOConnectionError:
            if let dns = connection.dnsAError ?? connection.dnsAAAAError { return "cannot resolve host: \(dns)" }
            return connection.connectionErrors.first.map { reason($0.error) } ?? "\(connection)"
        case let io as IOError:
            return String(cString: strerror(io.errnoCode))
        case ChannelError.connectTimeout(let timeout):
            return "no answer within \(timeout)"
        default:
            return "\(error)"
        }
    }

    private func handshake(_ configuration: RedisClient.Configuration) async throws {
        var commands: [RedisCommand] = []
        if let password = configuration.password {
            commands.append(
                configuration.username.map { RedisCommand("AUTH", $0, password) } ?? RedisCommand("AUTH", password))
        }
        if configuration.database != 0 {
            commands.append(RedisCommand("SELECT", configuration.database))
        }
        guard !commands.isEmpty else { return }
        let replies = try await pipeline(commands)
        for (command, reply) in zip(commands, replies) {
            guard let message = reply.errorMessage else { continue }
            if command.name == "AUTH" {
                throw RedisError(.authenticationFailed, "Redis refused the password: \(message)")
            }
            throw RedisError(.server, "\(command.name) failed: \(message)")
        }
    }

    /// `true` while the connection can carry commands.
    public var isActive: Bool { channel.isActive }

    /// Sends one command and returns its reply; a server error reply is thrown as a
    /// ``RedisError`` with code ``RedisError/Code/server``. A cancelled task stops waiting at once
    /// with `CancellationError`; the command was sent, and its reply is dropped when it comes.
    public func send(_ command: RedisCommand) async throws -> RESPValue {
        try await send(command, blockingFor: .zero)
    }

    /// Sends a command that may block on the server for up to `blocking` (`XREADGROUP … BLOCK`,
    /// `BLPOP`): its reply is due within `blocking` plus the command timeout, so a blocking read
    /// is never judged by the command timeout alone. Errors and cancellation as for ``send(_:)``.
    public func send(_ command: RedisCommand, blockingFor blocking: Duration) async throws -> RESPValue {
        try await RedisSpan.run(command.name) {
            let reply = try await CancellableWait.value(of: sendFuture(command, blockingFor: blocking))
            if case .error(let message) = reply { throw RedisError(.server, message) }
            return reply
        }
    }

    /// Sends one command and returns a future for its reply (error replies included, not thrown),
    /// due within `blocking` plus the command timeout.
    public func sendFuture(_ command: RedisCommand, blockingFor blocking: Duration = .zero) -> EventLoopFuture<RESPValue> {
        let promise = channel.eventLoop.makePromise(of: RESPValue.self)
        do {
            var bytes = channel.allocator.buffer(capacity: 64)
            try command.encode(into: &bytes)
            write(RedisRequest(bytes: bytes, sink: .single(promise), deadline: .now() + commandTimeout + TimeAmount(blocking)))
        } catch {
            promise.fail(error)
        }
        return promise.futureResult
    }

    /// Sends several commands in one write and returns their replies in order. Error replies are
    /// returned as ``RESPValue/error(_:)`` values, so one failing command does not hide the others.
    /// Cancellation as for ``send(_:)``.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        return try await RedisSpan.run(commands[0].name == "MULTI" ? "MULTI" : "PIPELINE", batchSize: commands.count) {
            let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
            let bytes = try RedisCommand.encode(commands)
            write(RedisRequest(bytes: bytes, sink: .batch(promise, count: commands.count), deadline: .now() + commandTimeout))
            return try await CancellableWait.value(of: promise.futureResult)
        }
    }

    private func write(_ request: RedisRequest) {
        channel.writeAndFlush(request).whenFailure { error in
            request.sink.fail(RedisError(.connectionClosed, "write failed: \(error)"))
        }
    }

    /// Closes the connection; commands in flight fail with ``RedisError/Code/connectionClosed``.
    public func close() {
        channel.close(promise: nil)
    }

    /// Completes when the connection has closed, for whatever reason.
    var closeFuture: EventLoopFuture<Void> { channel.closeFuture }
}
