import Foundation
import RedisClient
import Subprocess
import StateClient
import StateStores
import Testing
import TestSupport

/// `strong` writes against a primary with a replica of the test's own: the store `WAIT`s for the
/// replica, and says so when the replica does not acknowledge.
@Suite(.redisServerInstalled, .timeLimit(.minutes(1))) struct RedisStateStoreReplicationTests {
    @Test func waitsForTheReplicaOnStrongWrites() async throws {
        let password = "repl-\(UUID().uuidString)"
        try await OwnRedis.with(password: password) { primary in
            try await OwnRedis.with(password: password, replicaOf: primary.port) { replica in
                try await withRedisStateStore(configuration: primary.configuration(password: password)) { store, redis in
                    try await waitUntil("the replica to be online", within: .seconds(20)) {
                        try await redis.send(RedisCommand("INFO", "replication")).string?.contains("state=online") ?? false
                    }
                    let clock = try await serverClock(redis) {
                        try await store.set(SetRequest(key: "app||k", value: Array("1".utf8), consistency: .strong))
                    }
                    let onPrimary = try await redis.hashGetAll("app||k")
                    #expect(onPrimary["data"] == Array("1".utf8))
                    #expect(versionNumber(onPrimary["version"]).map(clock.contains) == true)
                    let onReplica = try await withRedisStateStore(configuration: replica.configuration(password: password)) { _, replicaRedis in
                        try await replicaRedis.hashGetAll("app||k")
                    }
                    #expect(onReplica == onPrimary)  // the version the primary's script chose, not one of the replica's clock

                    // The replica goes away; the store still believes in it (its count is cached), so
                    // the wait fails: the write happened on the primary but is not replicated.
                    try replica.process.send(.terminate)
                    try await replica.process.waitForExit(within: .seconds(5))
                    await #expect { try await store.set(SetRequest(key: "app||k", value: Array("2".utf8), consistency: .strong)) }
                        throws: { ($0 as? StateError)?.code == .unavailable }
                    #expect(try await store.get("app||k", consistency: .eventual)?.value == Array("2".utf8))
                    // It asks again after that and finds no replica: writes go through.
                    try await store.set(SetRequest(key: "app||k", value: Array("3".utf8), consistency: .strong))
                }
            }
        }
    }
}

/// A redis-server of the test's own, in the foreground as a child process, without persistence.
private struct OwnRedis: Sendable {
    let port: Int
    let process: TestProcess

    /// Starts a server on a free port (trying again when the port was taken meanwhile) and runs
    /// `body` with it; the server stops however `body` ends.
    static func with<Result: Sendable>(
        password: String, replicaOf primaryPort: Int? = nil, _ body: (OwnRedis) async throws -> Result
    ) async throws -> Result {
        let executable = ProcessInfo.processInfo.environment["REDIS_SERVER_BIN"] ?? "redis-server"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for _ in 0..<10 {
            let port = Int.random(in: 20_000..<32_000)
            var arguments = [
                executable, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", directory.path, "--requirepass", password,
            ]
            if let primaryPort {
                arguments += ["--replicaof", "127.0.0.1", String(primaryPort), "--masterauth", password]
            }
            let (result, _) = try await TestProcess.run(arguments) { process -> Result? in
                let server = OwnRedis(port: port, process: process)
                try await waitUntil("redis-server on port \(port) to answer or exit", within: .seconds(5)) {
                    process.hasExited ? true : await server.answersPing(password: password)
                }
                return process.hasExited ? nil : try await body(server)  // exited: the port was taken
            }
            if let result { return result }
        }
        throw StartError(description: "\(executable) did not start on any port tried")
    }

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    func configuration(password: String) -> RedisClient.Configuration {
        RedisClient.Configuration(host: "127.0.0.1", port: port, password: password, connectTimeout: .milliseconds(500))
    }

    /// Whether `redis-cli PING` succeeds (its exit status).
    func answersPing(password: String) async -> Bool {
        let arguments = ["redis-cli", "-h", "127.0.0.1", "-p", String(port), "--no-auth-warning", "-a", password, "-e", "PING"]
        return (try? await TestProcess.run(arguments))?.status == .exited(0)
    }
}
