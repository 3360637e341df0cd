import NIOCore
import NIOPosix
import Synchronization

/// An operation did not finish within its deadline (``withDeadline(_:_:)``).
public struct DeadlineExceeded: Error, Sendable, CustomStringConvertible {
    public let timeout: Duration

    public var description: String { "no answer within \(timeout)" }
}

/// Runs `operation` and returns what it returns, or throws ``DeadlineExceeded`` as soon as
/// `timeout` has passed, without waiting for it to end.
///
/// A task group cannot do this: it waits for every child, cancelled or not. That matters for a
/// client that does not honour cancellation: PostgresNIO cannot cancel a query in flight, so a
/// frozen server (SIGSTOP, a stalled disk) held every caller for the whole outage. Here the
/// operation is cancelled at the deadline and left to end on its own; its result is dropped.
/// Cancelling the caller cancels the operation and throws `CancellationError` at once.
///
/// The deadline is a task scheduled on an event loop of NIO's shared group (the caller's own when
/// it runs on one), removed when the operation ends first. Not a `Task.sleep`: a cancelled sleep
/// keeps its task and a Dispatch timer until its original deadline (swiftlang/swift#60441), which
/// cost a PostgreSQL-backed service a tenth of its CPU in Dispatch's timer threads.
public func withDeadline<Result: Sendable>(
    _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    let race = DeadlineRace<Result>()
    let work = Task { try await operation() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            guard race.start(continuation) else { return }
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(timeout)) {
                if race.finish(.failure(DeadlineExceeded(timeout: timeout))) { work.cancel() }
            }
            Task {
                let result = await work.result
                timer.cancel()
                race.finish(result)
            }
        }
    } onCancel: {
        work.cancel()
        race.finish(.failure(CancellationError()))
    }
}

/// Resumes the caller once: with the operation's result, the deadline, or a cancellation,
/// whichever comes first.
private final class DeadlineRace<Value: Sendable>: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Value, any Error>)
        case finished(Result<Value, any Error>?)
    }

    private let state = Mutex(State.idle)

    /// Keeps `continuation` until the race ends; `false` when it has already ended (cancelled
    /// before it started), in which case `continuation` is resumed now.
    func start(_ continuation: CheckedContinuation<Value, any Error>) -> Bool {
        let early: Result<Value, any Error>? = state.withLock { state in
            guard case .finished(let result) = state else {
                state = .waiting(continuation)
                return nil
            }
            state = .finished(nil)
            return result ?? .failure(CancellationError())
        }
        guard let early else { return true }
        continuation.resume(with: early)
        return false
    }

    /// Ends the race with `result` unless it has ended; `true` when this call ended it.
    @discardableResult
    func finish(_ result: Result<Value, any Error>) -> Bool {
        let continuation: CheckedContinuation<Value, any Error>? = state.withLock { state in
            switch state {
            case .idle:
                state = .finished(result)
                return nil
            case .waiting(let continuation):
                state = .finished(nil)
                return continuation
            case .finished:
                return nil
            }
        }
        guard let continuation else { return false }
        continuation.resume(with: result)
        return true
    }
}
