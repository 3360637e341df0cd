import NIOCore

/// What a caller writes into a connection's pipeline: encoded commands and where their replies go.
struct RedisRequest: Sendable {
    /// Where the replies of a request are delivered.
    enum Sink: Sendable {
        /// One command, one reply.
        case single(EventLoopPromise<RESPValue>)
        /// A pipeline: `count` replies, delivered together in order.
        case batch(EventLoopPromise<[RESPValue]>, count: Int)

        func fail(_ error: any Error) {
            switch self {
            case .single(let promise): promise.fail(error)
            case .batch(let promise, _): promise.fail(error)
            }
        }
    }

    /// The commands, already in RESP form.
    var bytes: ByteBuffer
    var sink: Sink
    /// When the whole request must have been answered.
    var deadline: NIODeadline
}
