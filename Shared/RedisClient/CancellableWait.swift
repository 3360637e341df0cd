import NIOCore
import Synchronization

/// Waiting for a future in a way a task's cancellation ends: `EventLoopFuture.get()` waits for
/// the reply even when nobody wants it any more (a readiness check that timed out, a request
/// whose client went away). The future still completes later; its value is then dropped.
final class CancellableWait<Value: Sendable>: Sendable {
    private enum State {
        case waiting
        case parked(CheckedContinuation<Value, any Error>)
        case finished
    }

    private let state = Mutex(State.waiting)

    private init() {}

    /// The future's value, or `CancellationError` as soon as the task is cancelled.
    static func value(of future: EventLoopFuture<Value>) async throws -> Value {
        let wait = CancellableWait()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let cancelled = wait.state.withLock { state in
                    guard case .waiting = state else { return true }
                    state = .parked(continuation)
                    return false
                }
                if cancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                future.whenComplete { wait.finish(with: $0) }
            }
        } onCancel: {
            wait.finish(with: .failure(CancellationError()))
        }
    }

    /// Resumes the waiter with `result` unless it was resumed already.
    private func finish(with result: Result<Value, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            defer { state = .finished }
            guard case .parked(let continuation) = state else { return nil }
            return continuation
        }
        continuation?.resume(with: result)
    }
}
