import Configuration
import Foundation
import Logging
import RedisClient
import ServiceDefaults

/// GET throughput of ``RedisClient`` with 50 concurrent callers, beside `redis-benchmark -c 50
/// -t get` against the same server and key in the same run.
///
/// Settings: `REDIS_*` (where), `BENCH_REQUESTS` (GETs per measurement, default 200 000),
/// `BENCH_CONCURRENCY` (default 50), `REDIS_BENCHMARK_BIN` (default `redis-benchmark`).
struct RedisGetBenchmark {
    let configuration: RedisClient.Configuration
    let requests: Int
    let concurrency: Int
    let redisBenchmark: String

    /// redis-benchmark's GET test reads this literal key (no `-r`); its SET test writes `xxx`.
    static let key = "key:__rand_int__"

    init(reader: ConfigReader) throws {
        configuration = try RedisClient.Configuration(reader: reader)
        requests = try reader.count(forKey: "bench.requests", default: 200_000)
        concurrency = max(1, try reader.count(forKey: "bench.concurrency", default: 50))
        redisBenchmark = reader.string(forKey: "redis.benchmark.bin", default: "redis-benchmark")
    }

    func run() async throws {
        let client = RedisClient(configuration: configuration, logger: Logger(label: "benchmark"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            try await client.set(Self.key, to: "xxx")

            let raw = try runRedisBenchmark()
            let pipelined = try runRedisBenchmark(pipeline: 16)
            _ = try await measure(client, requests: requests / 10)  // warm-up
            let ours = try await measure(client, requests: requests)
            print("redis GET, \(concurrency) concurrent callers, \(requests) requests, \(configuration.minimumConnections) client connections")
            print(String(format: "  redis-benchmark -c %d -t get       : %10.0f ops/s  (the goal's reference)", concurrency, raw))
            print(String(format: "  redis-benchmark -c %d -P 16 -t get : %10.0f ops/s  (pipelined ceiling)", concurrency, pipelined))
            print(String(format: "  RedisClient.get                    : %10.0f ops/s  (%.2f × redis-benchmark; goal ≥ 0.70)", ours, ours / raw))
        }
    }

    /// GETs `requests` times from `concurrency` tasks; returns operations per second.
    private func measure(_ client: RedisClient, requests: Int) async throws -> Double {
        let perTask = requests / concurrency
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    for _ in 0..<perTask {
                        guard try await client.get(Self.key) != nil else {
                            throw BenchmarkError(message: "GET \(Self.key) returned nil")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        return Double(perTask * concurrency) / elapsed.seconds
    }

    /// Runs redis-benchmark and returns its GET requests per second.
    private func runRedisBenchmark(pipeline: Int = 1) throws -> Double {
        var arguments = [
            "-h", configuration.host, "-p", String(configuration.port),
            "-c", String(concurrency), "-n", String(requests), "-P", String(pipeline), "-t", "get", "--csv",
        ]
        if let password = configuration.password { arguments += ["-a", password] }
        let output = try runTool(redisBenchmark, arguments)
        // CSV: "test","rps",… — one row for GET.
        guard let row = output.split(separator: "\n").first(where: { $0.hasPrefix("\"GET\"") }),
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

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
