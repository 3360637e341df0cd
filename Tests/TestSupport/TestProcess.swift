import Foundation
import ServiceDefaults
import Subprocess
import Synchronization

/// A child process a test runs (a ``RunningProcess``) for as long as a closure runs, with what it
/// prints (standard output and standard error, line by line) collected.
public struct TestProcess: Sendable {
    /// The executable's file name, for messages.
    public let name: String
    private let process: RunningProcess
    private let output: CollectedLines

    /// What the process printed so far.
    public var printed: [String] { output.all }

    /// Whether the process closed its output, which it does when it exits.
    public var hasExited: Bool { output.isClosed }

    /// Sends `signal` to the process.
    public func send(_ signal: Signal) throws { try process.send(signal) }

    /// Waits until the process has closed its output (it exited).
    public func waitForExit(within timeout: Duration) async throws {
        try await waitUntil("\(name) to exit; it printed:\n\(printed.joined(separator: "\n"))", within: timeout) { hasExited }
    }

    /// Waits until the process printed a line containing `text`; fails early if it exits first.
    public func waitForLine(containing text: String, within timeout: Duration) async throws {
        try await waitUntil("\(name) to print '\(text)'", within: timeout) {
            if printed.contains(where: { $0.contains(text) }) { return true }
            if hasExited { throw ExitedEarly(name: name, printed: printed) }
            return false
        }
    }

    /// Runs `command` (see ``RunningProcess/run(_:environment:grace:onLine:onClose:_:)``) while
    /// `body` runs; then SIGTERM, and SIGKILL after `grace`. Returns what `body` returned and how
    /// the process ended.
    public static func run<Result: Sendable>(
        _ command: [String], environment: [String: String] = [:], grace: Duration = .seconds(5),
        _ body: (TestProcess) async throws -> Result
    ) async throws -> (result: Result, status: TerminationStatus) {
        let output = CollectedLines()
        let name = URL(fileURLWithPath: command[0]).lastPathComponent
        return try await RunningProcess.run(command, environment: environment, grace: grace, onLine: output.append, onClose: output.close) { process in
            try await body(TestProcess(name: name, process: process, output: output))
        }
    }

    /// Runs `command` to its end; what it printed and how it ended.
    public static func run(_ command: [String], environment: [String: String] = [:]) async throws -> (printed: [String], status: TerminationStatus) {
        let (printed, status) = try await run(command, environment: environment) { process in
            try await process.waitForExit(within: .seconds(50))
            return process.printed
        }
        return (printed, status)
    }
}

/// A process exited while a test waited for it to print something.
struct ExitedEarly: Error, CustomStringConvertible {
    var name: String
    var printed: [String]
    var description: String { "\(name) exited early; it printed:\n" + printed.joined(separator: "\n") }
}

/// Lines a child printed, collected as they come.
public final class CollectedLines: Sendable {
    private let storage = Mutex<(lines: [String], closed: Bool)>(([], false))
    public init() {}
    public func append(_ line: String) { storage.withLock { $0.lines.append(line) } }
    public var all: [String] { storage.withLock { $0.lines } }
    /// Whether the output ended.
    public var isClosed: Bool { storage.withLock { $0.closed } }

    /// Marks the output ended.
    public func close() { storage.withLock { $0.closed = true } }
}
