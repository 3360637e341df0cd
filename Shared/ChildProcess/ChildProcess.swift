import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started with `posix_spawn`, the way a process manager should start one:
///
/// - with **no blocked and no ignored signals** — a Swift process' threads block signals such as
///   SIGTERM (ServiceLifecycle, the test runner), and a child inheriting that mask could never be
///   stopped politely;
/// - with **none of the parent's descriptors** but its standard streams — a child that inherits a
///   listening socket keeps that port busy after the parent closed it;
/// - with its output read line by line on a thread of its own, and its exit awaited with
///   `waitpid` on another, so nothing ever blocks an event loop or the cooperative pool.
public final class ChildProcess: Sendable {
    /// Where the child's standard output and standard error go.
    public enum Output: Sendable {
        /// Every complete line, without its newline.
        case lines(@Sendable (String) -> Void)
        /// Nowhere (`/dev/null`).
        case discard
    }

    /// The process id.
    public let pid: pid_t
    private let state = Mutex(ExitState.running([]))

    private enum ExitState {
        case running([CheckedContinuation<Int32, Never>])
        case exited(Int32)
    }

    /// Starts `arguments[0]` (looked up in `PATH`) with the other arguments, the parent's
    /// environment plus `environment`, and stdin from `/dev/null`.
    public init(_ arguments: [String], environment: [String: String] = [:], output: Output) throws(ChildProcessError) {
        guard let executable = arguments.first else { throw ChildProcessError(command: "", reason: "no command given") }
        var descriptors: [Int32] = [-1, -1]
        if case .lines = output, pipe(&descriptors) != 0 {
            throw ChildProcessError(command: executable, reason: "pipe failed: \(String(cString: strerror(errno)))")
        }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        defer { if descriptors[1] >= 0 { close(descriptors[1]) } }
        do {
            pid = try Self.spawn(arguments, environment: merged, outputDescriptor: descriptors[1])
        } catch {
            if descriptors[0] >= 0 { close(descriptors[0]) }
            throw error
        }
        if case .lines(let handler) = output { Self.readLines(from: descriptors[0], to: handler) }
        let pid = self.pid
        Thread.detachNewThread { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            finished(Self.exitCode(fromWaitStatus: status))
        }
    }

    /// The exit status once the child has exited (128 + the signal number if a signal ended it);
    /// `nil` while it runs.
    public var exitStatus: Int32? {
        state.withLock { state in
            if case .exited(let status) = state { return status }
            return nil
        }
    }

    /// Waits until the child has exited and returns its exit status.
    public func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status = state.withLock { state -> Int32? in
                switch state {
                case .exited(let status): return status
                case .running(var waiters):
                    waiters.append(continuation)
                    state = .running(waiters)
                    return nil
                }
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// Sends `signal` to the child if it still runs.
    public func send(_ signal: Int32) {
        if exitStatus == nil { kill(pid, signal) }
    }

    /// SIGTERM, then SIGKILL if the child still runs after `grace`; returns its exit status.
    @discardableResult
    public func terminate(grace: Duration) async -> Int32 {
        send(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while exitStatus == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        send(SIGKILL)
        return await waitForExit()
    }

    private func finished(_ status: Int32) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int32, Never>] in
            guard case .running(let waiters) = state else { return [] }
            state = .exited(status)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }
}

/// A child process that could not be started.
public struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    public var command: String
    public var reason: String
    public var description: String { "cannot start \(command): \(reason)" }
}
