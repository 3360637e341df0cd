import Foundation

/// A state sidecar process of a test's own: the real `StateSidecar` binary serving a components
/// folder of the test's making, on free ports (HTTP and gRPC), for one app id.
public struct TestSidecar: Sendable {
    public let appID: String
    private let process: TestServiceProcess
    public var port: Int { process.port }
    public var baseURL: String { process.baseURL }

    /// Starts the sidecar with `components` (file name → component YAML), waits until
    /// `/health/ready` answers 200, which needs every store reachable (and migrated), and runs
    /// `body` with it; the sidecar stops and the components folder goes however `body` ends.
    public static func with<Result: Sendable>(
        appID: String, components: [String: String], _ body: (TestSidecar) async throws -> Result
    ) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("components-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, yaml) in components {
            try yaml.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        // Its gRPC API on a free port too, so sidecars of several tests never share Dapr's 50001.
        let environment = ["APP_ID": appID, "COMPONENTS_PATH": folder.path, "DAPR_GRPC_PORT": String(try await TestRedis.freePort())]
        return try await TestServiceProcess.with("StateSidecar", environment: environment, within: .seconds(20)) { process in
            try await body(TestSidecar(appID: appID, process: process))
        }
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
