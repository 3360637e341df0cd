import Foundation
import RedisClient

/// `redis-benchmark`, run against the server a benchmark measures, for the raw limit beside our
/// own figures in the same run.
struct RedisBenchmarkTool {
    let executable: String
    let configuration: RedisClient.Configuration

    /// Requests per second of one redis-benchmark test (`get`, `set`, …).
    func opsPerSecond(test: String, requests: Int, concurrency: Int, pipeline: Int = 1) throws -> Double {
        var arguments = [
            "-h", configuration.host, "-p", String(configuration.port),
            "-c", String(concurrency), "-n", String(requests), "-P", String(pipeline), "-t", test, "--csv",
        ]
        if let password = configuration.password { arguments += ["-a", password] }
        let output = try runTool(executable, arguments)
        // CSV: "test","rps",… — one row per test.
        let name = "\"\(test.uppercased())\""
        guard let row = output.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
            let rps = Double(row.split(separator: ",")[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        else { throw BenchmarkError(message: "could not read redis-benchmark's output: \(output)") }
        return rps
    }
}

/// Runs a command-line tool to completion and returns its standard output.
func runTool(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw BenchmarkError(message: "\(executable) exited with status \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
}
