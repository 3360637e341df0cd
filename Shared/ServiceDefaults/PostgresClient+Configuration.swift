import Configuration
import PostgresNIO
import StateStores

extension PostgresClient.Configuration {
    /// Reads the PostgreSQL settings. Connections are plain TCP (`tls: .disable`): the sample runs
    /// PostgreSQL on loopback or a private network.
    ///
    /// | key (env) | type | default |
    /// |---|---|---|
    /// | `postgres.host` (`POSTGRES_HOST`) | string | `127.0.0.1` |
    /// | `postgres.port` (`POSTGRES_PORT`) | port | `5432` |
    /// | `postgres.user` (`POSTGRES_USER`) | string | `postgres` |
    /// | `postgres.password` (`POSTGRES_PASSWORD`) | secret string | none |
    /// | `postgres.database` (`POSTGRES_DATABASE`) | string | `eshop` |
    /// | `postgres.pool.size` (`POSTGRES_POOL_SIZE`) | connections kept open (``useFixedPool(size:)``); 0: the default | 4 |
    public init(reader: ConfigReader) throws(ConfigurationError) {
        self.init(
            host: reader.string(forKey: "postgres.host", default: "127.0.0.1"),
            port: try reader.port(forKey: "postgres.port", default: 5432),
            username: reader.string(forKey: "postgres.user", default: "postgres"),
            password: reader.string(forKey: "postgres.password", isSecret: true),
            database: reader.string(forKey: "postgres.database", default: "eshop"),
            tls: .disable
        )
        let poolSize = try reader.count(forKey: "postgres.pool.size", default: 0)
        useFixedPool(size: poolSize > 0 ? poolSize : Self.defaultPoolSize)
    }
}
