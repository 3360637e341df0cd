import AsyncHTTPClient
import ChildProcess
import Foundation
import Synchronization

/// The executables `swift build` put next to the test bundle.
public enum BuiltProducts {
    /// The path of the executable `name` (`StateSidecar`, `AppHost`) in the build folder.
    public static func path(_ name: String) -> String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = testBinary.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent(name).path
    }
}

/// A state sidecar process of a test's own: the real `StateSidecar` binary serving a components
/// folder of the test's making, on a free port, for one app id.
public final class TestSidecar: Sendable {
    public let appID: String
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let child: ChildProcess
    private let output: CollectedLines
    private let componentsFolder: URL

    /// Starts the sidecar with `components` (file name → component YAML) and waits until
    /// `/health/ready` answers 200, which needs every store reachable (and migrated).
    public init(appID: String, components: [String: String]) async throws {
        self.appID = appID
        port = try await TestRedis.freePort()
        componentsFolder = FileManager.default.temporaryDirectory.appendingPathComponent("components-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: componentsFolder, withIntermediateDirectories: true)
        for (name, yaml) in components {
            try yaml.write(to: componentsFolder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let output = CollectedLines()
        self.output = output
        child = try ChildProcess(
            [BuiltProducts.path("StateSidecar")],
            environment: [
                "HTTP_HOST": "127.0.0.1", "HTTP_PORT": String(port), "APP_ID": appID,
                "COMPONENTS_PATH": componentsFolder.path, "LOG_LEVEL": "warning",
            ],
            output: .lines(output.append))
        let url = "\(baseURL)/health/ready"
        let child = self.child
        do {
            try await TestRedis.eventually(within: .seconds(20)) {
                if let status = child.exitStatus { throw SidecarExited(status: status, output: output.all) }
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2))
                guard response.status == .ok else { throw SidecarExited(status: -1, output: ["/health/ready: \(response.status)"]) }
            }
        } catch {
            await stop()
            throw error
        }
    }

    /// Runs `body` with a started sidecar, and stops it however `body` ends.
    public static func with<Result: Sendable>(
        appID: String, components: [String: String], _ body: (TestSidecar) async throws -> Result
    ) async throws -> Result {
        let sidecar = try await TestSidecar(appID: appID, components: components)
        do {
            let result = try await body(sidecar)
            await sidecar.stop()
            return result
        } catch {
            await sidecar.stop()
            throw error
        }
    }

    /// Stops the process (SIGTERM, then SIGKILL after 5 s) and removes the components folder.
    public func stop() async {
        _ = await child.terminate(grace: .seconds(5))
        try? FileManager.default.removeItem(at: componentsFolder)
    }

    /// A `state.redis` component named `name` on the test Redis server of `scripts/test`.
    public static func redisComponent(named name: String = "statestore") -> String {
        let redis = TestRedis.configuration
        return component(name, type: "state.redis", metadata: [
            ("redisHost", "\(redis.host):\(redis.port)"), ("redisPassword", redis.password ?? ""),
        ])
    }

    /// A `state.postgresql` component named `name` on the test PostgreSQL server of `scripts/test`.
    public static func postgresComponent(named name: String = "statestore", tableName: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        let connection = [
            ("host", environment["POSTGRES_HOST"] ?? "127.0.0.1"), ("port", environment["POSTGRES_PORT"] ?? "5432"),
            ("user", environment["POSTGRES_USER"] ?? "postgres"), ("password", environment["POSTGRES_PASSWORD"] ?? ""),
            ("database", environment["POSTGRES_DATABASE"] ?? "postgres"),
        ].filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        return component(name, type: "state.postgresql", metadata: [("connectionString", connection), ("tableName", tableName)])
    }

    private static func component(_ name: String, type: String, metadata: [(String, String)]) -> String {
        let entries = metadata.filter { !$0.1.isEmpty }.map { "    - name: \($0.0)\n      value: \"\($0.1)\"" }
        return """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: \(name)
            spec:
              type: \(type)
              version: v1
              metadata:
            \(entries.joined(separator: "\n"))

            """
    }
}

/// The sidecar stopped (or never became ready) while the test waited for it.
struct SidecarExited: Error, CustomStringConvertible {
    var status: Int32
    var output: [String]
    var description: String { "the sidecar is not ready (exit status \(status)); it printed:\n" + output.joined(separator: "\n") }
}

/// Lines a child printed, collected from its reader thread.
public final class CollectedLines: Sendable {
    private let storage = Mutex<[String]>([])
    public init() {}
    public func append(_ line: String) { storage.withLock { $0.append(line) } }
    public var all: [String] { storage.withLock { $0 } }
}
