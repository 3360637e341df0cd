import Configuration
import Foundation
import Logging
import RedisClient
import ServiceDefaults

/// `swift run -c release Benchmarks <name>` — performance figures printed beside the raw limit
/// measured in the same run. `scripts/benchmark` starts the servers and runs them all.
@main
struct Benchmarks {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // The latency benchmark's load generator is threaded as the sidecar it measures.
        await ServiceMain.run("benchmarks", threading: arguments.first == "sidecar" ? .singleEventLoop : .eventLoopPerCore) {
            let reader = try await ConfigReader.service(arguments: [])
            switch arguments.first {
            case "redis", nil:
                try await RedisGetBenchmark(settings: BenchmarkSettings(reader: reader)).run()
            case "state":
                try await StateBenchmark(settings: BenchmarkSettings(reader: reader)).run()
            case "sidecar":
                try await SidecarLatencyBenchmark(settings: BenchmarkSettings(reader: reader), reader: reader).run()
            case "events":
                try await EventBusBenchmark(
                    settings: BenchmarkSettings(reader: reader), events: try reader.count(forKey: "bench.events", default: 10_000)
                ).run()
            case "catalog":
                try await CatalogBenchmark(settings: HTTPBenchmarkSettings(reader: reader)).run()
            case "identity":
                try await IdentityBenchmark(settings: HTTPBenchmarkSettings(reader: reader)).run()
            case "basket":
                try await BasketBenchmark(settings: HTTPBenchmarkSettings(reader: reader), redis: BenchmarkSettings(reader: reader).redis).run()
            case "keyed-state":
                try await KeyedStateBenchmark(
                    updates: try reader.count(forKey: "bench.updates", default: 1_000_000), checkpoint: max(1, try reader.count(forKey: "bench.checkpoint", default: 10_000))
                ).run()
            case "model-download":
                try await ModelDownloadBenchmark(
                    port: try reader.port(forKey: "bench.model.store.port", default: 25_110), rounds: max(1, try reader.count(forKey: "bench.rounds", default: 3))
                ).run()
            case let other?:
                throw BenchmarkError(
                    message: "unknown benchmark '\(other)'; known: redis, state, sidecar, events, catalog, identity, basket, keyed-state, model-download")
            }
        }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
