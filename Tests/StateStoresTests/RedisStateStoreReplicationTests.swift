import ChildProcess
import Foundation
import RedisClient
import StateClient
import StateStores
import Testing

/// `strong` writes against a primary with a replica of the test's own: the store `WAIT`s for the
/// replica, and says so when the replica does not acknowledge.
@Suite struct RedisStateStoreReplicationTests {
    @Test func waitsForTheReplicaOnStrongWrites() async throws {
        let password = "repl-\(UUID().uuidString)"
        let primary = try await OwnRedis.start(password: password)
        let replica = try await OwnRedis.start(password: password, replicaOf: primary.port)
        do {
            try await withRedisStateStore(configuration: primary.configuration(password: password)) { store, redis in
                #expect(try await eventually(within: .seconds(20)) {
                    try await redis.send(RedisCommand("INFO", "replication")).string?.contains("state=online") ?? false
                })
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
                await replica.process.terminate(grace: .seconds(5))
                await #expect { try await store.set(SetRequest(key: "app||k", value: Array("2".utf8), consistency: .strong)) }
                    throws: { ($0 as? StateError)?.code == .unavailable }
                #expect(try await store.get("app||k", consistency: .eventual)?.value == Array("2".utf8))
                // It asks again after that and finds no replica: writes go through.
                try await store.set(SetRequest(key: "app||k", value: Array("3".utf8), consistency: .strong))
            }
        } catch {
            await replica.process.terminate(grace: .seconds(5))
            await primary.process.terminate(grace: .seconds(5))
            throw error
        }
        await replica.process.terminate(grace: .seconds(5))
        await primary.process.terminate(grace: .seconds(5))
    }
}

/// A redis-server of the test's own, in the foreground as a child process, without persistence.
private struct OwnRedis: Sendable {
    let port: Int
    let process: ChildProcess

    /// Starts a server on a free port (trying again when the port was taken meanwhile).
    static func start(password: String, replicaOf primaryPort: Int? = nil) async throws -> OwnRedis {
        let executable = ProcessInfo.processInfo.environment["REDIS_SERVER_BIN"] ?? "redis-server"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for _ in 0..<10 {
            let port = Int.random(in: 20_000..<32_000)
            var arguments = [
                executable, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", directory.path, "--requirepass", password,
            ]
            if let primaryPort {
                arguments += ["--replicaof", "127.0.0.1", String(primaryPort), "--masterauth", password]
            }
            let process = try ChildProcess(arguments, output: .discard)
            let server = OwnRedis(port: port, process: process)
            let up = try await eventually(within: .seconds(5)) {
                if process.exitStatus != nil { return true }
                return await server.answersPing(password: password)
            }
            if up, process.exitStatus == nil { return server }
            await process.terminate(grace: .seconds(1))
        }
        throw StartError(description: "\(executable) did not start on any port tried")
    }

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    func configuration(password: String) -> RedisClient.Configuration {
        RedisClient.Configuration(host: "127.0.0.1", port: port, password: password, connectTimeout: .milliseconds(500))
    }

    /// Whether `redis-cli PING` succeeds (its exit status; no output to read).
    func answersPing(password: String) async -> Bool {
        let arguments = ["redis-cli", "-h", "127.0.0.1", "-p", String(port), "--no-auth-warning", "-a", password, "-e", "PING"]
        guard let cli = try? ChildProcess(arguments, output: .discard) else { return false }
        return await cli.waitForExit() == 0
    }
}
