import Foundation
import ServiceDefaults
import Subprocess
import Synchronization

/// A child process of AppHost (a ``RunningProcess``): its output lines printed with its name in
/// front, the last few kept to explain an early exit.
final class ManagedProcess: Sendable {
    let name: String
    private let recent = RecentLines()
    private let closed: AsyncStream<Void>
    private let closedContinuation: AsyncStream<Void>.Continuation
    private let isClosed = Atomic(false)

    private init(name: String) {
        self.name = name
        (closed, closedContinuation) = AsyncStream<Void>.makeStream()
    }

    /// Runs `command` with the parent's environment plus `environment` for as long as `body`
    /// runs; then SIGTERM, and SIGKILL after `grace`. Returns what `body` returned and how the
    /// child ended.
    static func run<Result: Sendable>(
        name: String, command: [String], environment: [String: String], output: LineOutput, grace: Duration,
        _ body: (ManagedProcess) async throws -> Result
    ) async throws -> (Result, TerminationStatus) {
        let process = ManagedProcess(name: name)
        let (result, status) = try await RunningProcess.run(
            command, environment: environment, grace: grace,
            onLine: { line in
                output.write(prefix: name, line: line)
                process.recent.append(line)
            },
            onClose: {
                process.isClosed.store(true, ordering: .releasing)
                process.closedContinuation.finish()
            }
        ) { _ in try await body(process) }
        return (result, status)
    }

    /// Whether the child closed its output, which it does when it exits.
    var hasExited: Bool { isClosed.load(ordering: .acquiring) }

    /// Returns once the child closed its output (it exited).
    func waitForExit() async {
        for await _ in closed {}
    }

    var lastLines: [String] { recent.lines }
}

/// The last few lines a process printed.
final class RecentLines: Sendable {
    private let storage = Mutex<[String]>([])

    func append(_ line: String) {
        storage.withLock { lines in
            lines.append(line)
            if lines.count > 5 { lines.removeFirst() }
        }
    }

    var lines: [String] { storage.withLock { $0 } }
}

/// Where prefixed lines go: standard output, one whole line at a time.
struct LineOutput: Sendable {
    private static let lock = Mutex(())
    let nameWidth: Int

    func write(prefix: String, line: String) {
        let padded = prefix + String(repeating: " ", count: max(0, nameWidth - prefix.count))
        note("\(padded) | \(line)")
    }

    func note(_ text: String) {
        Self.lock.withLock { _ in
            FileHandle.standardOutput.write(Data("\(text)\n".utf8))
        }
    }
}
