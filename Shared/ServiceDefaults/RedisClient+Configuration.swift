import Configuration
import RedisClient

extension RedisClient.Configuration {
    /// Reads the Redis settings.
    ///
    /// | key (env) | type | default |
    /// |---|---|---|
    /// | `redis.host` (`REDIS_HOST`) | string | `127.0.0.1` |
    /// | `redis.port` (`REDIS_PORT`) | port | `6379` |
    /// | `redis.username` (`REDIS_USERNAME`) | string | none (default user) |
    /// | `redis.password` (`REDIS_PASSWORD`) | secret string | none |
    /// | `redis.database` (`REDIS_DATABASE`) | integer ≥ 0 | `0` |
    /// | `redis.connections` (`REDIS_CONNECTIONS`) | integer ≥ 1 | `2` (shared, pipelined) |
    public init(reader: ConfigReader) throws(ConfigurationError) {
        self.init(
            host: reader.string(forKey: "redis.host", default: "127.0.0.1"),
            port: try reader.port(forKey: "redis.port", default: 6379),
            username: reader.string(forKey: "redis.username"),
            password: reader.string(forKey: "redis.password", isSecret: true).flatMap { $0.isEmpty ? nil : $0 },
            database: try reader.count(forKey: "redis.database", default: 0),
            minimumConnections: max(1, try reader.count(forKey: "redis.connections", default: 2))
        )
    }
}
