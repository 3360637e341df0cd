import ChildProcess
import Foundation
import Synchronization
import Testing

@Suite struct ChildProcessTests {
    /// Collects a child's output lines.
    final class Lines: Sendable {
        private let storage = Mutex<[String]>([])
        func append(_ line: String) { storage.withLock { $0.append(line) } }
        var all: [String] { storage.withLock { $0 } }
    }

    @Test func reportsTheExitStatusAndEveryOutputLine() async throws {
        let lines = Lines()
        let child = try ChildProcess(["sh", "-c", "echo one; echo two >&2; printf three; exit 3"], output: .lines(lines.append))
        #expect(await child.waitForExit() == 3)
        try await eventually { lines.all.count == 3 }
        #expect(Set(lines.all) == ["one", "two", "three"])
    }

    @Test func passesExtraEnvironment() async throws {
        let lines = Lines()
        let child = try ChildProcess(["sh", "-c", "echo \"$GREETING\""], environment: ["GREETING": "hello"], output: .lines(lines.append))
        #expect(await child.waitForExit() == 0)
        try await eventually { lines.all == ["hello"] }
    }

    @Test func startsChildrenWithNoBlockedOrIgnoredSignals() async throws {
        let lines = Lines()
        let child = try ChildProcess(["sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status"], output: .lines(lines.append))
        #expect(await child.waitForExit() == 0)
        try await eventually { lines.all.count == 2 }
        // Bits 0…30 are the standard signals 1…31; glibc keeps its own real-time signals (32, 33).
        let masks = lines.all.compactMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
        #expect(masks.count == 2)
        #expect(masks.allSatisfy { $0 & 0x7FFF_FFFF == 0 })
    }

    @Test func keepsTheParentsDescriptorsOutOfTheChild() async throws {
        let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/etc/hostname"))
        defer { try? file.close() }
        let lines = Lines()
        let child = try ChildProcess(["sh", "-c", "ls /proc/self/fd"], output: .lines(lines.append))
        #expect(await child.waitForExit() == 0)
        try await eventually { !lines.all.isEmpty }
        // 0, 1, 2 and the descriptor `ls` opens to list the folder: nothing of ours.
        #expect(!lines.all.contains(String(file.fileDescriptor)) || file.fileDescriptor <= 3)
    }

    @Test func terminatesPolitelyThenFirmly() async throws {
        let polite = try ChildProcess(["sleep", "30"], output: .discard)
        #expect(await polite.terminate(grace: .seconds(5)) == 128 + SIGTERM)
        let lines = Lines()
        let stubborn = try ChildProcess(["sh", "-c", "trap '' TERM; echo ready; sleep 30"], output: .lines(lines.append))
        try await eventually { lines.all == ["ready"] }
        #expect(await stubborn.terminate(grace: .milliseconds(200)) == 128 + SIGKILL)
    }

    @Test func failsClearlyForAMissingExecutable() {
        #expect(throws: ChildProcessError.self) { try ChildProcess(["no-such-program-here"], output: .discard) }
    }

    private func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
