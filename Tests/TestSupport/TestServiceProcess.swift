import AsyncHTTPClient
import Foundation

/// One of our executables running as a process of a test's own, on a free port, while a closure runs.
public struct TestServiceProcess: Sendable {
    public let name: String
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let process: TestProcess

    /// What the process printed so far.
    public var printed: [String] { process.printed }

    /// Kills the process at once (SIGKILL: no graceful shutdown); ``with(_:environment:port:readyPath:within:_:)``
    /// returns once `body` does.
    public func kill() throws { try process.send(.kill) }

    /// Waits until the process has exited.
    public func waitForExit(within timeout: Duration) async throws { try await process.waitForExit(within: timeout) }

    /// Starts `product` (`Catalog`, `StateSidecar`, …) with `environment` plus `HTTP_HOST`/`HTTP_PORT`
    /// (`port`, a free one when `nil`, so a restarted process can keep the address others know),
    /// waits until `GET readyPath` answers 200 (default `/health/ready`), and runs `body` with it;
    /// the process gets SIGTERM (SIGKILL after 5 s) however `body` ends.
    public static func with<Result: Sendable>(
        _ product: String, environment: [String: String], port: Int? = nil, readyPath: String = "/health/ready",
        within timeout: Duration = .seconds(60), _ body: (TestServiceProcess) async throws -> Result
    ) async throws -> Result {
        let port = if let port { port } else { try await TestRedis.freePort() }
        var environment = environment
        environment["HTTP_HOST"] = "127.0.0.1"
        environment["HTTP_PORT"] = String(port)
        environment["LOG_LEVEL"] = environment["LOG_LEVEL"] ?? "warning"
        return try await TestProcess.run([BuiltProducts.path(product)], environment: environment) { process in
            let url = "http://127.0.0.1:\(port)\(readyPath)"
            try await eventually("\(product) to answer 200 on \(readyPath)", within: timeout) {
                if process.hasExited { throw ExitedEarly(name: product, printed: process.printed) }
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2))
                guard response.status == .ok else { throw NotReady(status: response.status.code) }
            }
            return try await body(TestServiceProcess(name: product, port: port, process: process))
        }.result
    }
}

/// A readiness endpoint answered, but not 200.
struct NotReady: Error, CustomStringConvertible {
    var status: UInt
    var description: String { "readiness answered \(status)" }
}

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
