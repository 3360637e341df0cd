import Foundation
import Subprocess
import TestSupport
import Testing

/// Runs the AppHost executable as `scripts/run` does, against the test servers of `scripts/test`
/// (and, for Redis, a server AppHost starts itself in a temporary data folder).
@Suite(.redisReachable, .postgresReachable, .timeLimit(.minutes(3))) struct AppHostProcessTests {
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
            "ORDERING_PORT": String(Int.random(in: 20_000..<32_000)),
            "PAYMENT_PORT": String(Int.random(in: 20_000..<32_000)),
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
        let (lines, status) = try await Self.run(Self.externalStores) { appHost in
            try await appHost.waitForLine(containing: "Press Ctrl-C", within: .seconds(90))
            try appHost.send(.interrupt)
            try await appHost.waitForExit(within: .seconds(30))
            return appHost.printed
        }
        #expect(lines.contains { $0.hasPrefix("redis ") && $0.hasSuffix("ready") })
        #expect(lines.contains { $0.hasPrefix("postgres ") && $0.hasSuffix("ready") })
        #expect(lines.contains { $0.hasPrefix("state-sidecar ") && $0.hasSuffix("ready") })
        #expect(lines.contains { $0.hasPrefix("identity ") && $0.hasSuffix("ready") })
        #expect(lines.contains { $0.hasPrefix("catalog ") && $0.hasSuffix("ready") })
        #expect(lines.contains { $0.hasPrefix("basket ") && $0.hasSuffix("ready") })
        #expect(lines.contains { $0.hasPrefix("ordering ") && $0.hasSuffix("ready") })
        #expect(lines.contains { $0.hasPrefix("payment ") && $0.hasSuffix("ready") })
        #expect(lines.contains { $0.hasPrefix("model-worker ") && $0.hasSuffix("ready") })
        #expect(status == .exited(0))
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
        let (lines, status) = try await TestProcess.run([Self.executable], environment: environment)
        #expect(status == .exited(1))
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("apphost: error: ") == true)
        #expect(lines.first?.contains(expected) == true)
    }

    @Test func exitsWhenRedisIsUnreachable() async throws {
        var environment = Self.externalStores
        environment["REDIS_PORT"] = "1"
        environment["APPHOST_READY_TIMEOUT"] = "1"
        let (lines, status) = try await TestProcess.run([Self.executable], environment: environment)
        #expect(status == .exited(1))
        #expect(lines.count == 1)
        #expect(lines.first?.contains("not ready within 1") == true)
    }

    @Test(.redisServerInstalled) func startsRedisItselfAndKeepsItsDataAcrossRuns() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apphost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("redis"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var environment = Self.externalStores
        environment["APPHOST_START_REDIS"] = "true"
        environment["APPHOST_DATA_DIR"] = folder.path
        environment["REDIS_PORT"] = String(Int.random(in: 20_000..<32_000))
        environment["REDIS_PASSWORD"] = "apphost-test"
        let cli = ["redis-cli", "-p", environment["REDIS_PORT"]!, "-a", "apphost-test", "--no-auth-warning"]

        let (firstLines, firstStatus) = try await Self.run(environment) { appHost in
            try await appHost.waitForLine(containing: "Press Ctrl-C", within: .seconds(90))
            #expect(try await TestProcess.run(cli + ["SET", "kept", "across-runs"]).status == .exited(0))
            try appHost.send(.interrupt)
            try await appHost.waitForExit(within: .seconds(30))
            return appHost.printed
        }
        #expect(firstStatus == .exited(0))
        #expect(firstLines.contains { $0.contains("redis") && $0.contains("ready to exit") })

        let (value, secondStatus) = try await Self.run(environment) { appHost in
            try await appHost.waitForLine(containing: "Press Ctrl-C", within: .seconds(90))
            let get = try await TestProcess.run(cli + ["GET", "kept"])
            #expect(get.status == .exited(0))
            try appHost.send(.interrupt)
            try await appHost.waitForExit(within: .seconds(30))
            return get.printed
        }
        #expect(secondStatus == .exited(0))
        #expect(value == ["across-runs"])
    }

    /// Runs AppHost with `environment` while `body` runs.
    static func run<Result: Sendable>(
        _ environment: [String: String], _ body: (TestProcess) async throws -> Result
    ) async throws -> (Result, TerminationStatus) {
        let (result, status) = try await TestProcess.run([executable], environment: environment, grace: .seconds(30), body)
        return (result, status)
    }
}
