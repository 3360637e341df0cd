import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` right after a request's headers (RFC 9110 §10.1.1), which
/// Hummingbird does not do: a client that asks waits for the interim `100 Continue` before it
/// sends the body (curl waits a second for it on every upload over 1 KiB), or for the final
/// answer instead.
///
/// A request whose `Content-Length` is over `maximumBodyBytes` gets that final answer at once: a
/// 413 (`tooLarge`), and the connection closes, so the client never uploads a body that would be
/// refused after the last byte. Every other request goes on unchanged; a body without
/// `Content-Length` (chunked) is bounded where it is read (Hummingbird's `maxUploadSize`).
public final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// A 413 response: its head and body.
    public typealias TooLarge = @Sendable (_ maximumBodyBytes: Int) -> (HTTPResponse, ByteBuffer)

    private let maximumBodyBytes: Int
    private let tooLarge: TooLarge
    /// Whether the parts of a refused request are being dropped.
    private var discarding = false

    /// - Parameters:
    ///   - maximumBodyBytes: the largest body the service reads (Hummingbird's `maxUploadSize`,
    ///     2 MiB, by default).
    ///   - tooLarge: the 413 answer; by default problem+json.
    public init(maximumBodyBytes: Int = 2 * 1024 * 1024, tooLarge: @escaping TooLarge = ExpectContinueHandler.problem) {
        self.maximumBodyBytes = maximumBodyBytes
        self.tooLarge = tooLarge
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request):
            if let length = request.headerFields[.contentLength].flatMap(Int.init), length > maximumBodyBytes {
                discarding = true
                refuse(context: context)
                return
            }
            if request.headerFields[.expect]?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
            context.fireChannelRead(data)
        case .body, .end:
            guard !discarding else { return }
            context.fireChannelRead(data)
        }
    }

    /// Writes the 413, then closes the connection (the body the client may still send is dropped).
    private func refuse(context: ChannelHandlerContext) {
        var (response, body) = tooLarge(maximumBodyBytes)
        response.headerFields[.contentLength] = String(body.readableBytes)
        response.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// The default 413: a ``ProblemDetails`` naming the limit.
    public static let problem: TooLarge = { limit in
        let problem = ProblemDetails(.contentTooLarge, detail: "the body is larger than \(limit) bytes")
        let body = (try? JSONEncoder().encode(problem)).map { ByteBuffer(bytes: $0) } ?? ByteBuffer()
        return (HTTPResponse(status: .contentTooLarge, headerFields: problem.headers), body)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 as every service serves it: Hummingbird's `http1()` with ``ExpectContinueHandler``.
    public static func service(
        maximumBodyBytes: Int = 2 * 1024 * 1024, tooLarge: @escaping ExpectContinueHandler.TooLarge = ExpectContinueHandler.problem
    ) -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler(maximumBodyBytes: maximumBodyBytes, tooLarge: tooLarge)]))
    }
}
