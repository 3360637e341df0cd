import NIOCore
import NIOPosix
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@testable import RedisClient

/// The connection's socket options, read back from the kernel.
@Suite(.redisReachable, .timeLimit(.minutes(1))) struct RedisConnectionSocketTests {
    /// TCP_NODELAY must be set at the TCP level. At the socket level the same number is SO_DEBUG,
    /// which only a process with CAP_NET_ADMIN may set: as a non-root user (every container image
    /// of the project) the connect then failed with "Permission denied".
    @Test func setsNoDelayAtTheTCPLevelAndNotSODebug() async throws {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let connection = try await RedisConnection.connect(
            id: 1, configuration: TestRedis.configuration, eventLoop: eventLoop, logger: TestRedis.logger)
        let noDelay = try await connection.channel.getOption(.tcpOption(.tcp_nodelay)).get()
        let debug = try await connection.channel.getOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_DEBUG))).get()
        try await connection.channel.close()
        #expect(noDelay != 0)
        #expect(debug == 0)
    }
}
