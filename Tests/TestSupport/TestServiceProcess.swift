import AsyncHTTPClient
import ChildProcess
import Foundation
import Synchronization

/// One of our executables running as a process of a test's own, on a free port, until ``stop()``.
public final class TestServiceProcess: Sendable {
    public let name: String
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let child: ChildProcess
    private let output: CollectedLines

    /// Starts `product` (`Catalog`, `StateSidecar`, …) with `environment` plus `HTTP_HOST`/`HTTP_PORT`,
    /// and waits until `GET readyPath` answers 200 (default `/health/ready`).
    /// `port` (a free one when `nil`) lets a restarted process keep the address others know.
    public init(
        _ product: String, environment: [String: String], port: Int? = nil, readyPath: String = "/health/ready", within timeout: Duration = .seconds(60)
    ) async throws {
        name = product
        if let port { self.port = port } else { self.port = try await TestRedis.freePort() }
        let output = CollectedLines()
        self.output = output
        var environment = environment
        environment["HTTP_HOST"] = "127.0.0.1"
        environment["HTTP_PORT"] = String(self.port)
        environment["LOG_LEVEL"] = environment["LOG_LEVEL"] ?? "warning"
        let child = try ChildProcess([BuiltProducts.path(product)], environment: environment, output: .lines(output.append))
        self.child = child
        let url = "http://127.0.0.1:\(self.port)\(readyPath)"
        do {
            try await TestRedis.eventually(within: timeout) {
                if let status = child.exitStatus { throw ServiceNotReady(name: product, status: status, output: output.all) }
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2))
                guard response.status == .ok else { throw ServiceNotReady(name: product, status: -1, output: ["\(readyPath): \(response.status)"]) }
            }
        } catch {
            _ = await child.terminate(grace: .seconds(5))
            throw error
        }
    }

    /// What the process printed so far.
    public var printed: [String] { output.all }

    /// Kills the process at once (SIGKILL: no graceful shutdown) and waits until it is gone.
    public func kill() async {
        child.send(SIGKILL)
        _ = await child.waitForExit()
    }

    /// Stops the process: SIGTERM, SIGKILL after 5 s.
    public func stop() async {
        _ = await child.terminate(grace: .seconds(5))
    }

    /// Runs `body` with the started process, stopping it however `body` ends.
    public static func with<Result: Sendable>(
        _ product: String, environment: [String: String], _ body: (TestServiceProcess) async throws -> Result
    ) async throws -> Result {
        let process = try await TestServiceProcess(product, environment: environment)
        do {
            let result = try await body(process)
            await process.stop()
            return result
        } catch {
            await process.stop()
            throw error
        }
    }
}

/// A service stopped (or never became ready) while the test waited for it.
struct ServiceNotReady: Error, CustomStringConvertible {
    var name: String
    var status: Int32
    var output: [String]
    var description: String { "\(name) is not ready (exit status \(status)); it printed:\n" + output.joined(separator: "\n") }
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

/// Lines a child printed, collected from its reader thread.
public final class CollectedLines: Sendable {
    private let storage = Mutex<[String]>([])
    public init() {}
    public func append(_ line: String) { storage.withLock { $0.append(line) } }
    public var all: [String] { storage.withLock { $0 } }
}
