import Configuration
import RedisClient
import ServiceDefaults

/// What every Redis benchmark reads: `REDIS_*` (where), `BENCH_REQUESTS` (operations per
/// measurement, default 200 000), `BENCH_CONCURRENCY` (callers, default 50) and
/// `REDIS_BENCHMARK_BIN` (default `redis-benchmark`).
struct BenchmarkSettings {
    let redis: RedisClient.Configuration
    let requests: Int
    let concurrency: Int
    let redisBenchmark: RedisBenchmarkTool

    init(reader: ConfigReader) throws {
        redis = try RedisClient.Configuration(reader: reader)
        requests = try reader.count(forKey: "bench.requests", default: 200_000)
        concurrency = max(1, try reader.count(forKey: "bench.concurrency", default: 50))
        redisBenchmark = RedisBenchmarkTool(
            executable: reader.string(forKey: "redis.benchmark.bin", default: "redis-benchmark"), configuration: redis)
    }
}
