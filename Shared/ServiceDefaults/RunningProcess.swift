import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A child process run through swift-subprocess for as long as a closure runs: AppHost's
/// processes, the services the benchmarks load, the tests' servers and probes.
///
/// swift-subprocess starts it the way a process manager should: with no blocked and no ignored
/// signals (a Swift process' threads block SIGTERM for ServiceLifecycle, and a child inheriting
/// that mask could never be stopped politely) and with none of the parent's descriptors but its
/// standard streams (a child inheriting a listening socket keeps that port busy after the parent
/// closed it). It waits for the child without blocking a thread.
public struct RunningProcess: Sendable {
    private let execution: Execution<NoInput, SequenceOutput, CombinedErrorOutput>

    /// Sends `signal` to the process.
    public func send(_ signal: Signal) throws {
        try execution.send(signal: signal)
    }

    /// Runs `command` (an executable, looked up in `PATH` unless it is a path, and its arguments)
    /// with this process' environment plus `environment`, while `body` runs. Every line the child
    /// prints (standard output and standard error) goes to `onLine`; `onClose` is called once its
    /// output ended, which it does when it exits. When `body` returns or throws, or the task is
    /// cancelled, the child gets SIGTERM and, after `grace`, SIGKILL.
    ///
    /// - Returns: what `body` returned and how the child ended.
    /// - Throws: `SubprocessError` when the child cannot start (`executableNotFound`, …), or what
    ///   `body` threw.
    public static func run<Result: Sendable>(
        _ command: [String], environment: [String: String] = [:], grace: Duration,
        onLine: @escaping @Sendable (String) -> Void, onClose: @escaping @Sendable () -> Void = {},
        _ body: (RunningProcess) async throws -> Result
    ) async throws -> (result: Result, status: TerminationStatus) {
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: grace)]
        let teardown = options.teardownSequence
        let outcome = try await Subprocess.run(
            command[0].contains("/") ? .path(FilePath(command[0])) : .name(command[0]),
            arguments: Arguments(Array(command.dropFirst())),
            environment: .inherit.updating([Environment.Key: String?](uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), Optional($0.value)) })),
            platformOptions: options, input: .none, output: .sequence, error: .combinedWithOutput
        ) { execution in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await line in execution.standardOutput.strings() { onLine(line) }
                    } catch {
                        onLine("(output unreadable: \(error))")
                    }
                    onClose()
                }
                // Stopped before the group ends, which waits for the output to close.
                let result: Result
                do {
                    result = try await body(RunningProcess(execution: execution))
                } catch {
                    await execution.teardown(using: teardown)
                    throw error
                }
                await execution.teardown(using: teardown)
                return result
            }
        }
        return (outcome.closureResult, outcome.terminationStatus)
    }
}

extension TerminationStatus {
    /// The shell's convention: the exit code, or 128 + the signal that ended the process.
    public var shellStatus: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}
