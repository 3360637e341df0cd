import Configuration
import Foundation
import RedisClient
import ServiceDefaults

/// What AppHost runs, from configuration (`scripts/run` sets these; each has a default).
///
/// | key (env) | default | meaning |
/// |---|---|---|
/// | `apphost.data.dir` (`APPHOST_DATA_DIR`) | `.data` | Redis' and PostgreSQL's data folders live below it |
/// | `apphost.start.redis` (`APPHOST_START_REDIS`) | `true` | start Redis, or only check the one at `REDIS_HOST:REDIS_PORT` |
/// | `apphost.start.postgres` (`APPHOST_START_POSTGRES`) | `true` | the same for PostgreSQL |
/// | `apphost.ready.timeout` (`APPHOST_READY_TIMEOUT`) | `30` | seconds each process gets to become ready |
/// | `redis.server.bin` (`REDIS_SERVER_BIN`) | `redis-server` on `PATH` | the Redis server executable |
/// | `postgres.bin.dir` (`POSTGRES_BIN_DIR`) | `/usr/lib/postgresql/15/bin` | where `postgres` lives |
/// | `postgres.run.as` (`POSTGRES_RUN_AS`) | none | user to run PostgreSQL as (it refuses root) |
/// | `state.sidecar.port` (`STATE_SIDECAR_PORT`) | `3500` | the state sidecar's HTTP port |
/// | `identity.port` (`IDENTITY_PORT`) | `5105` | Identity's HTTP port |
/// | `catalog.port` (`CATALOG_PORT`) | `5101` | Catalog's HTTP port |
/// | `basket.port` (`BASKET_PORT`) | `5103` | Basket's HTTP port |
/// | `ordering.port` (`ORDERING_PORT`), `payment.port` (`PAYMENT_PORT`) | `5102`, `5108` | Ordering's and Payment's HTTP ports |
/// | `ordering.grace.period.seconds` (`ORDERING_GRACE_PERIOD_SECONDS`) | `60` | passed to Ordering |
/// | `apphost.components.path` (`APPHOST_COMPONENTS_PATH`) | `compose/components` | the Dapr component files the sidecar serves |
/// | `redis.*`, `postgres.*` | see ServiceDefaults | where the stores listen, passwords |
struct AppHostSettings: Sendable {
    var dataDirectory: String
    var startRedis: Bool
    var startPostgres: Bool
    var readyTimeout: Duration
    var redisServer: String
    var postgresBinDirectory: String
    var postgresRunAs: String?
    /// Where Redis listens and its password (ServiceDefaults' `REDIS_*` settings).
    var redis: RedisClient.Configuration
    var postgresHost: String
    var postgresPort: Int
    var postgresUser: String
    var postgresPassword: String?
    var postgresDatabase: String
    var sidecarPort: Int
    var identityPort: Int
    var catalogPort: Int
    var basketPort: Int
    var orderingPort: Int
    var paymentPort: Int
    var orderingGracePeriodSeconds: Int
    var componentsPath: String
    /// The folder of AppHost's own executable, where the services' executables are built too.
    var binaryDirectory: String

    init(reader: ConfigReader) throws(ConfigurationError) {
        dataDirectory = URL(fileURLWithPath: reader.string(forKey: "apphost.data.dir", default: ".data")).standardizedFileURL.path
        startRedis = reader.bool(forKey: "apphost.start.redis", default: true)
        startPostgres = reader.bool(forKey: "apphost.start.postgres", default: true)
        readyTimeout = .seconds(try reader.count(forKey: "apphost.ready.timeout", default: 30))
        redisServer = reader.string(forKey: "redis.server.bin", default: "redis-server")
        postgresBinDirectory = reader.string(forKey: "postgres.bin.dir", default: "/usr/lib/postgresql/15/bin")
        postgresRunAs = reader.string(forKey: "postgres.run.as").flatMap { $0.isEmpty ? nil : $0 }
        redis = try RedisClient.Configuration(reader: reader)
        postgresHost = reader.string(forKey: "postgres.host", default: "127.0.0.1")
        postgresPort = try reader.port(forKey: "postgres.port", default: 5432)
        postgresUser = reader.string(forKey: "postgres.user", default: "postgres")
        postgresPassword = reader.string(forKey: "postgres.password", isSecret: true)
        postgresDatabase = reader.string(forKey: "postgres.database", default: "eshop")
        sidecarPort = try reader.port(forKey: "state.sidecar.port", default: 3500)
        identityPort = try reader.port(forKey: "identity.port", default: 5105)
        catalogPort = try reader.port(forKey: "catalog.port", default: 5101)
        basketPort = try reader.port(forKey: "basket.port", default: 5103)
        orderingPort = try reader.port(forKey: "ordering.port", default: 5102)
        paymentPort = try reader.port(forKey: "payment.port", default: 5108)
        orderingGracePeriodSeconds = try reader.count(forKey: "ordering.grace.period.seconds", default: 60)
        componentsPath = URL(fileURLWithPath: reader.string(forKey: "apphost.components.path", default: "compose/components")).standardizedFileURL.path
        binaryDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().standardizedFileURL.path
        guard postgresDatabase.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !postgresDatabase.isEmpty else {
            throw ConfigurationError(variable: "POSTGRES_DATABASE", problem: "is '\(postgresDatabase)': use letters, digits and _ only")
        }
    }
}
