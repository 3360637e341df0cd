import Configuration
import ServiceDefaults

/// Where the service benchmarks find PostgreSQL.
struct PostgresBenchmarkSettings {
    let host: String
    let port: Int
    let user: String
    let password: String?
    let database: String

    /// The `POSTGRES_*` variables for a service started by the benchmark.
    var environment: [String: String] {
        var environment = ["POSTGRES_HOST": host, "POSTGRES_PORT": String(port), "POSTGRES_USER": user, "POSTGRES_DATABASE": database]
        if let password { environment["POSTGRES_PASSWORD"] = password }
        return environment
    }
}

/// What the HTTP service benchmarks read: `POSTGRES_*`, `BENCH_PORT` (the service's port, default
/// 5199), `BENCH_THREADS` (wrk threads, 2), `BENCH_CONNECTIONS` (wrk connections and pgbench
/// clients, 32), `BENCH_SECONDS` (per wrk measurement, 10), `BENCH_ROUNDS` (rounds of measurements
/// taken in turn, where a benchmark compares routes, 3), `BENCH_PGBENCH_TRANSACTIONS` (per
/// pgbench client, 2 000), `WRK_BIN` (`wrk`), `PGBENCH_BIN` (`pgbench`).
struct HTTPBenchmarkSettings {
    let postgres: PostgresBenchmarkSettings
    let port: Int
    let wrk: WrkTool
    let pgbench: PgbenchTool
    let pgbenchTransactions: Int
    let rounds: Int

    init(reader: ConfigReader) throws {
        postgres = PostgresBenchmarkSettings(
            host: reader.string(forKey: "postgres.host", default: "127.0.0.1"),
            port: try reader.port(forKey: "postgres.port", default: 5432),
            user: reader.string(forKey: "postgres.user", default: "postgres"),
            password: reader.string(forKey: "postgres.password", isSecret: true),
            database: reader.string(forKey: "postgres.database", default: "eshop"))
        port = try reader.port(forKey: "bench.port", default: 5199)
        wrk = WrkTool(
            executable: reader.string(forKey: "wrk.bin", default: "wrk"),
            threads: max(1, try reader.count(forKey: "bench.threads", default: 2)),
            connections: max(1, try reader.count(forKey: "bench.connections", default: 32)),
            duration: max(1, try reader.count(forKey: "bench.seconds", default: 10)))
        rounds = max(1, try reader.count(forKey: "bench.rounds", default: 3))
        pgbenchTransactions = max(1, try reader.count(forKey: "bench.pgbench.transactions", default: 2_000))
        pgbench = PgbenchTool(executable: reader.string(forKey: "pgbench.bin", default: "pgbench"), postgres: postgres)
    }
}
