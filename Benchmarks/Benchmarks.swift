import ArgumentParser
import Configuration
import Foundation
import Logging
import RedisClient
import ServiceDefaults

/// `swift run -c release Benchmarks <name>` — performance figures printed beside the raw limit
/// measured in the same run. `scripts/benchmark` starts the servers and runs them all.
@main
enum BenchmarksMain {
    static func main() async {
        let name: Benchmarks.Name
        do {
            name = try Benchmarks.parse().name
        } catch {
            Benchmarks.exit(withError: error)  // help, or a usage mistake (exit status 64)
        }
        // The latency benchmark's load generator is threaded as the sidecar it measures.
        await ServiceMain.run("benchmarks", threading: name == .sidecar ? .singleEventLoop : .eventLoopPerCore) {
            try await Benchmarks.run(name)
        }
    }
}

/// The command line: one benchmark by name (swift-argument-parser; `--help` lists them).
struct Benchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Benchmarks",
        abstract: "Performance figures printed beside the raw limit measured in the same run (docs/performance.md).",
        discussion: "Servers and sizes come from the environment (REDIS_*, POSTGRES_*, BENCH_*); scripts/benchmark sets them.")

    /// The benchmarks, by the name given on the command line.
    enum Name: String, CaseIterable, ExpressibleByArgument {
        case redis, state, sidecar, events, catalog, identity, basket, orders, webapp, tracing
        case keyedState = "keyed-state", modelDownload = "model-download", embeddings
        case semanticSearch = "semantic-search"
    }

    @Argument(help: "Which benchmark to run.")
    var name: Name = .redis

    static func run(_ name: Name) async throws {
        let reader = try await ConfigReader.service(arguments: [])
        switch name {
        case .redis:
            try await RedisGetBenchmark(settings: BenchmarkSettings(reader: reader)).run()
        case .state:
            try await StateBenchmark(settings: BenchmarkSettings(reader: reader)).run()
        case .sidecar:
            try await SidecarLatencyBenchmark(settings: BenchmarkSettings(reader: reader), reader: reader).run()
        case .events:
            try await EventBusBenchmark(
                settings: BenchmarkSettings(reader: reader), events: try reader.count(forKey: "bench.events", default: 10_000)
            ).run()
        case .catalog:
            try await CatalogBenchmark(settings: HTTPBenchmarkSettings(reader: reader)).run()
        case .identity:
            try await IdentityBenchmark(settings: HTTPBenchmarkSettings(reader: reader)).run()
        case .basket:
            try await BasketBenchmark(settings: HTTPBenchmarkSettings(reader: reader), redis: BenchmarkSettings(reader: reader).redis).run()
        case .orders:
            try await OrderLatencyBenchmark(
                settings: HTTPBenchmarkSettings(reader: reader), redis: BenchmarkSettings(reader: reader).redis,
                orders: max(1, try reader.count(forKey: "bench.orders", default: 100))
            ).run()
        case .webapp:
            try await WebAppBenchmark(settings: HTTPBenchmarkSettings(reader: reader)).run()
        case .tracing:
            try await TracingBenchmark(
                settings: HTTPBenchmarkSettings(reader: reader), redis: BenchmarkSettings(reader: reader).redis,
                orders: max(1, try reader.count(forKey: "bench.orders", default: 50)),
                sampleRatio: try TracingBenchmark.sampleRatio(reader)
            ).run()
        case .keyedState:
            try await KeyedStateBenchmark(
                updates: try reader.count(forKey: "bench.updates", default: 1_000_000),
                checkpoint: max(1, try reader.count(forKey: "bench.checkpoint", default: 10_000))
            ).run()
        case .modelDownload:
            try await ModelDownloadBenchmark(
                port: try reader.port(forKey: "bench.model.store.port", default: 25_110), rounds: max(1, try reader.count(forKey: "bench.rounds", default: 3))
            ).run()
        case .embeddings:
            guard let modelFolder = reader.string(forKey: "model.files.dir"), let python = reader.string(forKey: "embeddings.reference.python") else {
                throw BenchmarkError(message: "MODEL_FILES_DIR and EMBEDDINGS_REFERENCE_PYTHON must be set (scripts/benchmark embeddings sets them)")
            }
            let batches = (reader.string(forKey: "bench.batches") ?? "1,32,128").split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
            try await EmbeddingsBenchmark(
                modelFolder: modelFolder, referencePython: python, batches: batches.isEmpty ? [32] : batches,
                seconds: Double(max(1, try reader.count(forKey: "bench.seconds", default: 5)))
            ).run()
        case .semanticSearch:
            guard let folder = reader.string(forKey: "model.files.dir") else {
                throw BenchmarkError(message: "MODEL_FILES_DIR is not set: run scripts/benchmark semantic-search (it fetches the model)")
            }
            try await SemanticSearchBenchmark(
                modelFolder: folder, items: max(1, try reader.count(forKey: "bench.items", default: 10_000)),
                queries: max(1, try reader.count(forKey: "bench.queries", default: 2_000))
            ).run()
        }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
