import Foundation
import Subprocess
import Testing

@testable import AppHost

/// What AppHost relies on from swift-subprocess when it starts a process (docs/architecture.md).
@Suite(.timeLimit(.minutes(1))) struct ManagedProcessTests {
    private let output = LineOutput(nameWidth: 4)

    /// Runs `command` until it exits on its own; its last lines and how it ended.
    private func runToEnd(_ command: [String], environment: [String: String] = [:]) async throws -> ([String], TerminationStatus) {
        try await ManagedProcess.run(name: "test", command: command, environment: environment, output: output, grace: .seconds(5)) { process in
            await process.waitForExit()
            return process.lastLines
        }
    }

    @Test func reportsTheExitStatusAndEveryOutputLine() async throws {
        let (lines, status) = try await runToEnd(["sh", "-c", "echo one; echo two >&2; printf three; exit 3"])
        #expect(status == .exited(3))
        #expect(Set(lines) == ["one", "two", "three"])
    }

    @Test func passesExtraEnvironment() async throws {
        let (lines, status) = try await runToEnd(["sh", "-c", "echo \"$GREETING\""], environment: ["GREETING": "hello"])
        #expect(status == .exited(0))
        #expect(lines == ["hello"])
    }

    @Test func startsChildrenWithNoBlockedOrIgnoredSignals() async throws {
        let (lines, _) = try await runToEnd(["sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status"])
        // Bits 0…30 are the standard signals 1…31; glibc keeps its own real-time signals (32, 33).
        let masks = lines.compactMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
        #expect(masks.count == 2)
        #expect(masks.allSatisfy { $0 & 0x7FFF_FFFF == 0 })
    }

    @Test func keepsTheParentsDescriptorsOutOfTheChild() async throws {
        let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/etc/hostname"))
        defer { try? file.close() }
        let (lines, _) = try await runToEnd(["sh", "-c", "ls /proc/self/fd | tr '\\n' ' '"])
        // 0, 1, 2 and the descriptor `ls` opens to list the folder: nothing of ours.
        let descriptors = lines.joined().split(separator: " ").compactMap { Int32($0) }
        #expect(!descriptors.isEmpty)
        #expect(descriptors.allSatisfy { $0 <= 3 }, "\(descriptors); the test holds \(file.fileDescriptor)")
    }

    @Test func stopsPolitelyThenFirmlyWhenTheBodyEnds() async throws {
        let (_, polite) = try await ManagedProcess.run(name: "test", command: ["sleep", "30"], environment: [:], output: output, grace: .seconds(5)) { _ in }
        #expect(polite == .signaled(SIGTERM))
        let (_, stubborn) = try await ManagedProcess.run(
            name: "test", command: ["sh", "-c", "trap '' TERM; echo ready; sleep 30"], environment: [:], output: output, grace: .milliseconds(200)
        ) { process in
            while process.lastLines != ["ready"] { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(stubborn == .signaled(SIGKILL))
    }

    @Test func failsClearlyForAMissingExecutable() async {
        await #expect(throws: SubprocessError.self) {
            try await ManagedProcess.run(name: "test", command: ["no-such-program-here"], environment: [:], output: output, grace: .seconds(1)) { _ in }
        }
    }
}
