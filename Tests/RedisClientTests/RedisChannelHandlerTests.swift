import NIOCore
import NIOEmbedded
import Testing

@testable import RedisClient

/// Drives the protocol handler through a `NIOAsyncTestingChannel`: no server, no sockets.
@Suite(.timeLimit(.minutes(1))) struct RedisChannelHandlerTests {
    private func makeChannel() async throws -> NIOAsyncTestingChannel {
        let channel = NIOAsyncTestingChannel()
        try await channel.testingEventLoop.executeInContext {
            try channel.pipeline.syncOperations.addHandler(RedisChannelHandler())
        }
        try await channel.connect(to: .init(ipAddress: "127.0.0.1", port: 6379))
        return channel
    }

    private func send(
        _ command: RedisCommand, on channel: NIOAsyncTestingChannel, deadline: NIODeadline = .distantFuture
    ) async throws -> EventLoopFuture<RESPValue> {
        let promise = channel.eventLoop.makePromise(of: RESPValue.self)
        var bytes = ByteBuffer()
        try command.encode(into: &bytes)
        try await channel.writeOutbound(RedisRequest(bytes: bytes, sink: .single(promise), deadline: deadline))
        return promise.futureResult
    }

    private func written(_ channel: NIOAsyncTestingChannel) async throws -> String {
        await channel.testingEventLoop.run()
        var all = ""
        while let buffer = try await channel.readOutbound(as: ByteBuffer.self) { all += String(buffer: buffer) }
        return all
    }

    @Test func writesTheEncodedCommandAndDeliversItsReply() async throws {
        let channel = try await makeChannel()
        let reply = try await send(RedisCommand("GET", "k"), on: channel)
        #expect(try await written(channel) == "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
        try await channel.writeInbound(ByteBuffer(string: "$2\r\nhi\r\n"))
        #expect(try await reply.get() == .bulkString(Array("hi".utf8)))
    }

    @Test func coalescesTheFlushesOfConcurrentWritesIntoOne() async throws {
        let channel = try await makeChannel()
        _ = try await send(RedisCommand("PING"), on: channel)
        _ = try await send(RedisCommand("PING"), on: channel)
        #expect(try await written(channel) == String(repeating: "*1\r\n$4\r\nPING\r\n", count: 2))
    }

    @Test func matchesPipelinedRepliesInOrderEvenWhenSplitAcrossReads() async throws {
        let channel = try await makeChannel()
        let first = try await send(RedisCommand("INCR", "a"), on: channel)
        let second = try await send(RedisCommand("GET", "b"), on: channel)
        let third = try await send(RedisCommand("PING"), on: channel)
        try await channel.writeInbound(ByteBuffer(string: ":1\r\n$-1\r\n+PO"))
        #expect(try await first.get() == .integer(1))
        #expect(try await second.get() == .null)
        try await channel.writeInbound(ByteBuffer(string: "NG\r\n"))
        #expect(try await third.get() == .simpleString("PONG"))
    }

    @Test func collectsABatchOfRepliesForOnePipeline() async throws {
        let channel = try await makeChannel()
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        let bytes = try RedisCommand.encode([RedisCommand("MULTI"), RedisCommand("INCR", "n"), RedisCommand("EXEC")])
        try await channel.writeOutbound(RedisRequest(bytes: bytes, sink: .batch(promise, count: 3), deadline: .distantFuture))
        try await channel.writeInbound(ByteBuffer(string: "+OK\r\n+QUEUED\r\n"))
        try await channel.writeInbound(ByteBuffer(string: "*1\r\n:1\r\n"))
        #expect(try await promise.futureResult.get() == [.simpleString("OK"), .simpleString("QUEUED"), .array([.integer(1)])])
    }

    @Test func keepsServerErrorsAsValues() async throws {
        let channel = try await makeChannel()
        let reply = try await send(RedisCommand("NOPE"), on: channel)
        try await channel.writeInbound(ByteBuffer(string: "-ERR unknown command 'NOPE'\r\n"))
        #expect(try await reply.get() == .error("ERR unknown command 'NOPE'"))
    }

    @Test func failsEveryWaiterAndClosesOnGarbage() async throws {
        let channel = try await makeChannel()
        let first = try await send(RedisCommand("GET", "a"), on: channel)
        let second = try await send(RedisCommand("GET", "b"), on: channel)
        try await channel.writeInbound(ByteBuffer(string: "!garbage\r\n"))
        await #expect(throws: RedisError.self) { try await first.get() }
        await #expect(throws: RedisError.self) { try await second.get() }
        try await channel.closeFuture.get()
    }

    @Test func closesWhenAReplyArrivesThatNobodyAskedFor() async throws {
        let channel = try await makeChannel()
        try await channel.writeInbound(ByteBuffer(string: "+OK\r\n"))
        try await channel.closeFuture.get()
    }

    @Test func failsPendingCommandsWhenTheConnectionCloses() async throws {
        let channel = try await makeChannel()
        let reply = try await send(RedisCommand("GET", "a"), on: channel)
        try await channel.close()
        await #expect(throws: RedisError(.connectionClosed, "connection closed before the reply arrived")) {
            try await reply.get()
        }
    }

    @Test func timesOutTheOldestCommandAndClosesTheConnection() async throws {
        let channel = try await makeChannel()
        let slow = try await send(RedisCommand("BLPOP", "q", 0), on: channel, deadline: .uptimeNanoseconds(1_000_000))
        let behind = try await send(RedisCommand("GET", "a"), on: channel)
        await channel.testingEventLoop.advanceTime(by: .milliseconds(2))
        await #expect(throws: RedisError(.timeout, "no reply within the command timeout")) { try await slow.get() }
        await #expect(throws: RedisError.self) { try await behind.get() }
        try await channel.closeFuture.get()
    }

    @Test func aConnectionFailsCommandsSentAfterItClosed() async throws {
        let channel = try await makeChannel()
        try await channel.writeInbound(ByteBuffer(string: "+unexpected\r\n"))
        let connection = RedisConnection(id: 1, channel: channel, commandTimeout: .seconds(1))
        await #expect(throws: RedisError.self) { try await connection.send(RedisCommand("PING")) }
    }
}
