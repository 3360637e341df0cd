import ChildProcess
import Foundation
import Synchronization

/// A child process of AppHost: its output lines printed with its name in front, the last few
/// kept to explain an early exit.
final class ManagedProcess: Sendable {
    let name: String
    private let child: ChildProcess
    private let recent: RecentLines

    init(name: String, command: [String], environment: [String: String], output: LineOutput) throws {
        self.name = name
        let recent = RecentLines()
        self.recent = recent
        child = try ChildProcess(command, environment: environment, output: .lines { line in
            output.write(prefix: name, line: line)
            recent.append(line)
        })
    }

    var exitStatus: Int32? { child.exitStatus }
    var lastLines: [String] { recent.lines }
    func waitForExit() async -> Int32 { await child.waitForExit() }
    func stop(grace: Duration) async { await child.terminate(grace: grace) }
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
