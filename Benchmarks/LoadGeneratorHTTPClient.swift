import NIOCore
import NIOHTTP1
import NIOPosix

/// The load generator's HTTP client for latency benchmarks: keep-alive HTTP/1.1 GETs over one
/// connection per event loop, each caller using the connection on its own event loop (as
/// `RedisClient` does with its shared connections). It adds as little as a client can — the
/// role fortio plays in Dapr's figures — so what it measures is the server; a full client
/// (AsyncHTTPClient, behind `HTTPStateStore`) is measured beside it.
final class LoadGeneratorHTTPClient: Sendable {
    private let connections: [any Channel]

    private init(connections: [any Channel]) {
        self.connections = connections
    }

    /// Opens one connection to `host`:`port` on each of NIO's singleton event loops.
    static func connect(host: String, port: Int) async throws -> LoadGeneratorHTTPClient {
        var connections: [any Channel] = []
        for eventLoop in MultiThreadedEventLoopGroup.singleton.makeIterator() {
            let channel = try await ClientBootstrap(group: eventLoop)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(PipelinedResponses(host: host))
                    }
                }
                .connect(host: host, port: port)
                .get()
            connections.append(channel)
        }
        return LoadGeneratorHTTPClient(connections: connections)
    }

    /// GETs `path` and returns the answer's status; the body is read and dropped.
    func get(_ path: String) async throws -> HTTPResponseStatus {
        let channel = connections.first { $0.eventLoop.inEventLoop } ?? connections[Int.random(in: connections.indices)]
        let promise = channel.eventLoop.makePromise(of: HTTPResponseStatus.self)
        channel.writeAndFlush(PipelinedResponses.Get(path: path, answer: promise)).whenFailure { promise.fail($0) }
        return try await promise.futureResult.get()
    }

    func close() async {
        for connection in connections { try? await connection.close() }
    }
}

/// Writes GETs and completes their promises in order as the answers arrive (HTTP/1.1 pipelining).
private final class PipelinedResponses: ChannelDuplexHandler {
    struct Get {
        var path: String
        var answer: EventLoopPromise<HTTPResponseStatus>
    }

    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Get
    typealias OutboundOut = HTTPClientRequestPart

    private let host: String
    private var waiting = CircularBuffer<EventLoopPromise<HTTPResponseStatus>>()
    private var status: HTTPResponseStatus?

    init(host: String) {
        self.host = host
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let get = unwrapOutboundIn(data)
        waiting.append(get.answer)
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: get.path, headers: ["Host": host])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = head.status
        case .body: break
        case .end:
            if let status, let answer = waiting.popFirst() { answer.succeed(status) }
            status = nil
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failWaiting(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failWaiting(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    private func failWaiting(_ error: any Error) {
        while let answer = waiting.popFirst() { answer.fail(error) }
    }
}
