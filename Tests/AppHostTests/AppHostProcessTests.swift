import ChildProcess
import Foundation
import TestSupport
import Testing

/// Runs the AppHost executable as `scripts/run` does, against the test servers of `scripts/test`
/// (and, for Redis, a server AppHost starts itself in a temporary data folder).
@Suite struct AppHostProcessTests {
    /// The AppHost binary next to the test bundle in the build folder.
    static var executable: String { BuiltProducts.path("AppHost") }

    /// The stores of the test run, checked rather than started.
    static var externalStores: [String: String] {
        let environment = ProcessInfo.processInfo.environment
        return [
            "APPHOST_START_REDIS": "false",
            "APPHOST_START_POSTGRES": "false",
            "APPHOST_READY_TIMEOUT": "60",  // a loaded 2-core machine starts six processes slowly
            "REDIS_HOST": environment["REDIS_HOST"] ?? "127.0.0.1",
            "REDIS_PORT": environment["REDIS_PORT"] ?? "6379",
            "REDIS_PASSWORD": environment["REDIS_PASSWORD"] ?? "",
            "POSTGRES_HOST": environment["POSTGRES_HOST"] ?? "127.0.0.1",
            "POSTGRES_PORT": environment["POSTGRES_PORT"] ?? "5432",
            "POSTGRES_USER": environment["POSTGRES_USER"] ?? "postgres",
            "POSTGRES_PASSWORD": environment["POSTGRES_PASSWORD"] ?? "",
            "POSTGRES_DATABASE": environment["POSTGRES_DATABASE"] ?? "eshop_test",
            "STATE_SIDECAR_PORT": String(Int.random(in: 20_000..<32_000)),
            "IDENTITY_PORT": String(Int.random(in: 20_000..<32_000)),
            "CATALOG_PORT": String(Int.random(in: 20_000..<32_000)),
            "BASKET_PORT": String(Int.random(in: 20_000..<32_000)),
            "MODEL_STORE_PORT": String(Int.random(in: 20_000..<32_000)),
            "MODEL_WORKER_PORT": String(Int.random(in: 20_000..<32_000)),
            "IDENTITY_BCRYPT_COST": "4",
            "APPHOST_COMPONENTS_PATH": repositoryRoot + "/compose/components",
        ]
    }

    /// The repository this test file is in.
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    @Test func reportsReadyStoresAndStopsCleanlyOnSIGINT() async throws {
        let run = try Run(Self.externalStores)
        try await run.waitForLine(containing: "Press Ctrl-C")
        #expect(run.lines.contains { $0.hasPrefix("redis ") && $0.hasSuffix("ready") })
        #expect(run.lines.contains { $0.hasPrefix("postgres ") && $0.hasSuffix("ready") })
        #expect(run.lines.contains { $0.hasPrefix("state-sidecar ") && $0.hasSuffix("ready") })
        #expect(run.lines.contains { $0.hasPrefix("identity ") && $0.hasSuffix("ready") })
        #expect(run.lines.contains { $0.hasPrefix("catalog ") && $0.hasSuffix("ready") })
        #expect(run.lines.contains { $0.hasPrefix("basket ") && $0.hasSuffix("ready") })
        #expect(run.lines.contains { $0.hasPrefix("model-worker ") && $0.hasSuffix("ready") })
        run.child.send(SIGINT)
        #expect(await run.child.waitForExit() == 0)
    }

    @Test(arguments: [
        ("REDIS_PASSWORD", "wrong-password", "refused the password"),
        ("REDIS_PORT", "not-a-port", "REDIS_PORT is 'not-a-port'"),
        ("POSTGRES_PASSWORD", "wrong-password", "password authentication failed"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL is 'loud'"),
    ])
    func exitsWithOneClearLineOnBadConfiguration(variable: String, value: String, expected: String) async throws {
        var environment = Self.externalStores
        environment[variable] = value
        let run = try Run(environment)
        #expect(await run.child.waitForExit() == 1)
        #expect(run.lines.count == 1)
        #expect(run.lines.first?.hasPrefix("apphost: error: ") == true)
        #expect(run.lines.first?.contains(expected) == true)
    }

    @Test func exitsWhenRedisIsUnreachable() async throws {
        var environment = Self.externalStores
        environment["REDIS_PORT"] = "1"
        environment["APPHOST_READY_TIMEOUT"] = "1"
        let run = try Run(environment)
        #expect(await run.child.waitForExit() == 1)
        #expect(run.lines == [run.lines.first].compactMap { $0 })
        #expect(run.lines.first?.contains("not ready within 1") == true)
    }

    @Test func startsRedisItselfAndKeepsItsDataAcrossRuns() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apphost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("redis"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var environment = Self.externalStores
        environment["APPHOST_START_REDIS"] = "true"
        environment["APPHOST_DATA_DIR"] = folder.path
        environment["REDIS_PORT"] = String(Int.random(in: 20_000..<32_000))
        environment["REDIS_PASSWORD"] = "apphost-test"
        let cli = ["redis-cli", "-p", environment["REDIS_PORT"]!, "-a", "apphost-test", "--no-auth-warning"]

        let first = try Run(environment)
        try await first.waitForLine(containing: "Press Ctrl-C")
        #expect(await (try ChildProcess(cli + ["SET", "kept", "across-runs"], output: .discard)).waitForExit() == 0)
        first.child.send(SIGINT)
        #expect(await first.child.waitForExit() == 0)
        #expect(first.lines.contains { $0.contains("redis") && $0.contains("ready to exit") })

        let second = try Run(environment)
        try await second.waitForLine(containing: "Press Ctrl-C")
        let value = CollectedLines()
        let get = try ChildProcess(cli + ["GET", "kept"], output: .lines(value.append))
        #expect(await get.waitForExit() == 0)
        second.child.send(SIGINT)
        #expect(await second.child.waitForExit() == 0)
        #expect(value.all == ["across-runs"])
    }
}

/// A running AppHost and everything it printed.
final class Run: Sendable {
    let child: ChildProcess
    private let output = CollectedLines()

    init(_ environment: [String: String]) throws {
        child = try ChildProcess([AppHostProcessTests.executable], environment: environment, output: .lines(output.append))
    }

    var lines: [String] { output.all }

    func waitForLine(containing text: String, within timeout: Duration = .seconds(90)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !lines.contains(where: { $0.contains(text) }) {
            if child.exitStatus != nil || ContinuousClock.now > deadline {
                Issue.record("never printed '\(text)'; printed:\n\(lines.joined(separator: "\n"))")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
