import Foundation
import RedisClient
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// `redis-benchmark`, run against the server a benchmark measures, for the raw limit beside our
/// own figures in the same run.
struct RedisBenchmarkTool {
    let executable: String
    let configuration: RedisClient.Configuration

    /// Requests per second of one redis-benchmark test (`get`, `set`, …).
    func opsPerSecond(test: String, requests: Int, concurrency: Int, pipeline: Int = 1) async throws -> Double {
        var arguments = [
            "-h", configuration.host, "-p", String(configuration.port),
            "-c", String(concurrency), "-n", String(requests), "-P", String(pipeline), "-t", test, "--csv",
        ]
        if let password = configuration.password { arguments += ["-a", password] }
        let output = try await runTool(executable, arguments)
        // CSV: "test","rps",… — one row per test.
        let name = "\"\(test.uppercased())\""
        guard let row = output.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
            let rps = Double(row.split(separator: ",")[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        else { throw BenchmarkError(message: "could not read redis-benchmark's output: \(output)") }
        return rps
    }
}

/// Runs a command-line tool (a path, or a name looked up in `PATH`) to completion through swift-subprocess, with
/// this process' environment plus `environment`, and returns its standard output (at most 1 MiB;
/// standard error is dropped).
func runTool(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> String {
    let variables = [Environment.Key: String?](uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), Optional($0.value)) })
    let result = try await Subprocess.run(
        executable.contains("/") ? .path(FilePath(executable)) : .name(executable), arguments: Arguments(arguments), environment: .inherit.updating(variables),
        output: .string(limit: 1 << 20), error: .discarded)
    guard result.terminationStatus.isSuccess else {
        throw BenchmarkError(message: "\(executable) ended with \(result.terminationStatus)")
    }
    return result.standardOutput
}
