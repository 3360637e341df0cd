import AsyncHTTPClient
import Foundation
import Logging
import StateFolder

/// The model cache's download throughput beside `curl` fetching the same file from the same
/// model store, in the same run, and the process' resident memory during the download (it must
/// stay flat: the file is streamed 1 MiB at a time). Goal ≥ 0.9 × curl.
///
/// `Benchmarks model-download` starts the model store (the release `ModelStore` beside this
/// program, as a ``BenchmarkedService``) on `BENCH_MODEL_STORE_PORT` (default 25110) serving
/// `MODEL_STORE_DIR`; each side
/// downloads `BENCH_ROUNDS` times (default 3) and the best round counts.
struct ModelDownloadBenchmark {
    let port: Int
    let rounds: Int
    var storeURL: String { "http://127.0.0.1:\(port)" }

    func run() async throws {
        try await BenchmarkedService.with("ModelStore", port: port, environment: [:]) { _ in try await measure() }
    }

    private func measure() async throws {
        let manifest = try ModelManifest.load(URL(fileURLWithPath: "Services/ModelWorker/all-MiniLM-L6-v2.manifest.json"))
        guard let file = manifest.files.max(by: { $0.size < $1.size }) else { return }
        let baseURL = URL(string: "\(storeURL)/\(manifest.name)/")!
        let url = URL(string: file.url, relativeTo: baseURL)!.absoluteString
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("model-download-bench-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)

        var curlBest = Double.infinity
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            _ = try await runTool("curl", ["-sf", "-o", scratch.path + "/curl.bin", url])
            curlBest = min(curlBest, seconds(ContinuousClock.now - start))
        }

        let residentBefore = Self.memory("VmRSS")
        var oursBest = Double.infinity
        let single = ModelManifest(name: manifest.name, version: manifest.version, files: [file])
        for round in 0..<rounds {
            let state = try StateFolder.open(path: scratch.path + "/state-\(round)", consumerGroup: "bench", logger: Logger(label: "benchmark"))
            let start = ContinuousClock.now
            _ = try await ModelCache(stateFolder: state, logger: Logger(label: "benchmark")).prepare(single, baseURL: baseURL)
            oursBest = min(oursBest, seconds(ContinuousClock.now - start))
        }
        let peak = Self.memory("VmHWM")
        let megabytes = Double(file.size) / 1_000_000
        print("model download: \(file.path), \(file.size) bytes from \(storeURL), best of \(rounds)")
        print(String(format: "  curl -o                                   : %8.1f MB/s (%.3f s)", megabytes / curlBest, curlBest))
        print(String(format: "  ModelCache.prepare (stream, fsync, sha256) : %8.1f MB/s (%.3f s)  (%.2f × curl; goal ≥ 0.9)", megabytes / oursBest, oursBest, curlBest / oursBest))
        print(String(format: "  resident memory: %.1f MiB before, peak %.1f MiB (VmHWM)", Double(residentBefore) / 1_024, Double(peak) / 1_024))
    }

    private func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

    /// A `/proc/self/status` figure in KiB (`VmRSS`, `VmHWM`); 0 where there is none.
    static func memory(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
    }
}
