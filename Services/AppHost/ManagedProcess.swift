import Foundation
import Subprocess
import Synchronization

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A child process of AppHost, started through swift-subprocess: its output lines (standard
/// output and standard error) printed with its name in front, the last few kept to explain an
/// early exit.
///
/// swift-subprocess starts the child the way a process manager should: with no blocked and no
/// ignored signals (a Swift process' threads block SIGTERM for ServiceLifecycle, and a child
/// inheriting that mask could never be stopped politely) and with none of the parent's
/// descriptors but its standard streams (a child inheriting a listening socket keeps that port
/// busy after the parent closed it).
final class ManagedProcess: Sendable {
    let name: String
    private let output: LineOutput
    private let recent = RecentLines()
    private let closed: AsyncStream<Void>
    private let closedContinuation: AsyncStream<Void>.Continuation
    private let isClosed = Atomic(false)

    init(name: String, output: LineOutput) {
        self.name = name
        self.output = output
        (closed, closedContinuation) = AsyncStream<Void>.makeStream()
    }

    /// Runs `command` (the executable, looked up in `PATH` unless it is a path, and its arguments)
    /// with the parent's environment plus `environment`, for as long as `body` runs; when `body`
    /// returns or throws, or the task is cancelled, the child gets SIGTERM and, after `grace`,
    /// SIGKILL. Returns what `body` returned and how the child ended.
    static func run<Result: Sendable>(
        name: String, command: [String], environment: [String: String], output: LineOutput, grace: Duration,
        _ body: @Sendable (ManagedProcess) async throws -> Result
    ) async throws -> (Result, TerminationStatus) {
        let process = ManagedProcess(name: name, output: output)
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: grace)]
        let executable: Executable = command[0].contains("/") ? .path(FilePath(command[0])) : .name(command[0])
        let outcome = try await Subprocess.run(
            executable, arguments: Arguments(Array(command.dropFirst())),
            environment: .inherit.updating(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), Optional($0.value)) })),
            platformOptions: options, input: .none, output: .sequence, error: .combinedWithOutput
        ) { execution in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await process.print(execution.standardOutput) }
                // Stopped before the group ends, which waits for the output to close.
                let result: Result
                do {
                    result = try await body(process)
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

    /// Whether the child closed its output, which it does when it exits.
    var hasExited: Bool { isClosed.load(ordering: .acquiring) }

    /// Returns once the child closed its output (it exited).
    func waitForExit() async {
        for await _ in closed {}
    }

    var lastLines: [String] { recent.lines }

    private func print(_ lines: SubprocessOutputSequence) async {
        do {
            for try await line in lines.strings() {
                output.write(prefix: name, line: line)
                recent.append(line)
            }
        } catch {
            output.write(prefix: name, line: "(output unreadable: \(error))")
        }
        isClosed.store(true, ordering: .releasing)
        closedContinuation.finish()
    }
}

extension TerminationStatus {
    /// The shell's convention: the exit code, or 128 + the signal that ended the process.
    var shellStatus: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
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
