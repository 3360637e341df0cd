import Foundation
import Subprocess
import Synchronization

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A child process a test runs through swift-subprocess for as long as a closure runs, with what
/// it prints (standard output and standard error, line by line) collected.
///
/// swift-subprocess starts it with no blocked and no ignored signals and none of the test
/// runner's descriptors but the standard streams, so SIGTERM stops it and it holds no port of ours.
public struct TestProcess: Sendable {
    /// The executable's file name, for messages.
    public let name: String
    private let execution: Execution<NoInput, SequenceOutput, CombinedErrorOutput>
    private let output: CollectedLines

    /// What the process printed so far.
    public var printed: [String] { output.all }

    /// Whether the process closed its output, which it does when it exits.
    public var hasExited: Bool { output.isClosed }

    /// Sends `signal` to the process.
    public func send(_ signal: Signal) throws { try execution.send(signal: signal) }

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

    /// Runs `command` (an executable looked up in `PATH` unless it is a path, and its arguments)
    /// with the test runner's environment plus `environment`, while `body` runs. When `body`
    /// returns or throws, or the task is cancelled, the process gets SIGTERM and, after `grace`,
    /// SIGKILL. Returns what `body` returned and how the process ended.
    public static func run<Result: Sendable>(
        _ command: [String], environment: [String: String] = [:], grace: Duration = .seconds(5),
        _ body: (TestProcess) async throws -> Result
    ) async throws -> (result: Result, status: TerminationStatus) {
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: grace)]
        let output = CollectedLines()
        let name = URL(fileURLWithPath: command[0]).lastPathComponent
        let outcome = try await Subprocess.run(
            command[0].contains("/") ? .path(FilePath(command[0])) : .name(command[0]),
            arguments: Arguments(Array(command.dropFirst())),
            environment: .inherit.updating(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), Optional($0.value)) })),
            platformOptions: options, input: .none, output: .sequence, error: .combinedWithOutput
        ) { execution in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await output.collect(execution.standardOutput) }
                // Stopped before the group ends, which waits for the output to close.
                let result: Result
                do {
                    result = try await body(TestProcess(name: name, execution: execution, output: output))
                } catch {
                    await execution.teardown(using: options.teardownSequence)
                    throw error
                }
                await execution.teardown(using: options.teardownSequence)
                return result
            }
        }
        return (outcome.closureResult, outcome.terminationStatus)
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

    fileprivate func collect(_ sequence: SubprocessOutputSequence) async {
        do {
            for try await line in sequence.strings() { append(line) }
        } catch {
            append("(output unreadable: \(error))")
        }
        storage.withLock { $0.closed = true }
    }
}
