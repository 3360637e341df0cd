import NIOCore

/// The protocol handler of one Redis connection.
///
/// Outbound, it writes already-encoded commands and remembers, in order, who waits for their
/// replies. Inbound, it feeds bytes to hiredis' reader and hands each complete reply to the oldest
/// waiter, so any number of commands can be in flight (pipelining). A request not answered by its
/// deadline fails with ``RedisError/Code/timeout`` and closes the connection: the replies still
/// owed can no longer be matched safely, and the pool replaces the connection.
///
/// Lives on its channel's event loop only; it is deliberately not `Sendable`.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private var pending = PendingReplies()
    private let reader = RESPReader()
    private var flushScheduled = false
    private var deadlineTimer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    private var closed = false

    init() {}

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        guard !closed else {
            let error = RedisError(.connectionClosed, "connection is closed")
            request.sink.fail(error)
            promise?.fail(error)
            return
        }
        pending.append(request.sink, deadline: request.deadline)
        armDeadlineTimer(context: context)
        context.write(wrapOutboundOut(request.bytes), promise: promise)
    }

    /// Coalesces the flushes of many concurrent callers into one per event-loop tick.
    func flush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            context.flush()
        }
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try reader.feed(unwrapInboundIn(data))
            while let reply = try reader.next() {
                guard pending.deliver(reply) else {
                    throw RedisError(.protocolError, "received a reply nobody asked for")
                }
            }
        } catch {
            failAll(error, context: context)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError(.connectionClosed, "connection closed before the reply arrived"), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(RedisError(.connectionClosed, "connection failed: \(error)"), context: context)
        context.close(promise: nil)
    }

    // MARK: Deadlines

    /// Keeps one timer, set for the oldest waiter's deadline.
    private func armDeadlineTimer(context: ChannelHandlerContext) {
        guard let deadline = pending.oldestDeadline else {
            deadlineTimer?.cancel()
            deadlineTimer = nil
            timerDeadline = nil
            return
        }
        if let timerDeadline, timerDeadline <= deadline { return }
        deadlineTimer?.cancel()
        timerDeadline = deadline
        deadlineTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.deadlineReached(context: context)
        }
    }

    private func deadlineReached(context: ChannelHandlerContext) {
        deadlineTimer = nil
        timerDeadline = nil
        guard let oldest = pending.oldestDeadline else { return }
        guard oldest <= .now() else {
            armDeadlineTimer(context: context)
            return
        }
        pending.failOldest(RedisError(.timeout, "no reply within the command timeout"))
        failAll(RedisError(.connectionClosed, "connection closed after another command timed out"), context: context)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error, context: ChannelHandlerContext) {
        closed = true
        deadlineTimer?.cancel()
        deadlineTimer = nil
        timerDeadline = nil
        pending.failAll(error)
    }
}

/// The FIFO of callers waiting for replies, with the replies collected so far for pipelines.
struct PendingReplies {
    private struct Entry {
        var sink: RedisRequest.Sink
        var deadline: NIODeadline
        var collected: [RESPValue] = []
    }

    private var entries = CircularBuffer<Entry>()

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var oldestDeadline: NIODeadline? { entries.first?.deadline }

    mutating func append(_ sink: RedisRequest.Sink, deadline: NIODeadline) {
        entries.append(Entry(sink: sink, deadline: deadline))
    }

    /// Gives a reply to the oldest waiter; `false` when nobody waits.
    mutating func deliver(_ reply: RESPValue) -> Bool {
        guard !entries.isEmpty else { return false }
        switch entries[entries.startIndex].sink {
        case .single(let promise):
            entries.removeFirst()
            promise.succeed(reply)
        case .batch(let promise, let count):
            entries[entries.startIndex].collected.append(reply)
            if entries[entries.startIndex].collected.count == count {
                let entry = entries.removeFirst()
                promise.succeed(entry.collected)
            }
        }
        return true
    }

    mutating func failOldest(_ error: any Error) {
        guard !entries.isEmpty else { return }
        entries.removeFirst().sink.fail(error)
    }

    mutating func failAll(_ error: any Error) {
        while !entries.isEmpty { entries.removeFirst().sink.fail(error) }
    }
}
