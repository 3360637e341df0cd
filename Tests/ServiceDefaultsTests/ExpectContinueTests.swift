import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import ServiceDefaults
import Testing

/// Issue 12, class 8: `Expect: 100-continue` is answered right after the headers, and a body over
/// the limit is refused before it is uploaded.
@Suite(.timeLimit(.minutes(1)))
struct ExpectContinueTests {
    /// An echo service on `.service(maximumBodyBytes: 1000)`, on a loopback port.
    func withEcho(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router<BasicRequestContext>.service(healthChecks: [])
        router.post("echo") { request, _ in try await request.body.collect(upTo: 1000) }
        let app = Application(router: router, server: .service(maximumBodyBytes: 1000))
        try await app.test(.live) { client in try await body(try #require(client.port)) }
    }

    /// A raw HTTP/1.1 connection: what is written goes out as is.
    enum Connection {
        static func with(port: Int, _ body: (inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> Void) async throws {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
            try await channel.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                try await body(&iterator, outbound)
            }
        }
    }

    /// Reads until the text read so far contains `marker` (or the connection ends).
    static func read(until marker: String, from iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) async throws -> String {
        var text = ""
        while !text.contains(marker), let buffer = try await iterator.next() { text += String(buffer: buffer) }
        return text
    }

    @Test func answers100ContinueBeforeTheBodyIsSent() async throws {
        try await withEcho { port in
            try await Connection.with(port: port) { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"))
                let interim = try await Self.read(until: "\r\n\r\n", from: &inbound)
                #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(interim)")
                try await outbound.write(ByteBuffer(string: "hello"))
                let final = try await Self.read(until: "hello", from: &inbound)
                #expect(final.hasPrefix("HTTP/1.1 200"), "\(final)")
            }
        }
    }

    @Test(arguments: ["1001", "99999999999"])
    func refusesABodyOverTheLimitRightAfterTheHeaders(_ length: String) async throws {
        try await withEcho { port in
            try await Connection.with(port: port) { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\nExpect: 100-continue\r\n\r\n"))
                let answer = try await Self.read(until: "}", from: &inbound)  // no body sent at all
                #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer)")
                #expect(answer.contains("application/problem+json"))
                #expect(answer.lowercased().contains("connection: close"))
                #expect(try await inbound.next() == nil)  // and the connection closes
            }
        }
    }

    @Test func requestsWithoutExpectAreUnchanged() async throws {
        try await withEcho { port in
            try await Connection.with(port: port) { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"))
                let answer = try await Self.read(until: "hi", from: &inbound)
                #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
                #expect(!answer.contains("100 Continue"))
            }
        }
    }
}
