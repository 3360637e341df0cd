import Foundation
import Logging
import PostgresNIO
import RedisClient
import ServiceLifecycle
import StateClient

/// A state store built from a Dapr component file, with the services it needs running.
///
/// ```swift
/// let components = try StateComponent.loadAll(from: "compose/components")
/// let stores = try components.map { try ComponentStore(component: $0, logger: logger) }
/// // run every store's `services` in the ServiceGroup, then:
/// let baskets = stores[0].client(appID: "basket-api")
/// ```
///
/// | `spec.type` | metadata read |
/// |---|---|
/// | `state.redis` | `redisHost` (`host:port`, required), `redisUsername`, `redisPassword`, `redisDB`, `enableTLS` (must be false), `ttlInSeconds`, `keyPrefix`, `actorStateStore` |
/// | `state.postgresql` | `connectionString` (required: `host=… user=… password=… port=… database=…` or `postgres://user:password@host:port/database`), `tableName`, `metadataTableName`, `cleanupInterval` (`1h`, `10m`, seconds; `0` disables), `ttlInSeconds`, `keyPrefix`, `actorStateStore` |
/// | `state.in-memory` | `ttlInSeconds`, `keyPrefix`, `actorStateStore` |
///
/// Every store is wrapped in a ``ResilientStateStore`` (retries, circuit breaker; for PostgreSQL
/// also a 5 s bound per attempt, as its pool can wait long for a server that is down).
public struct ComponentStore: Sendable {
    public let component: StateComponent
    public let store: any StateStore
    /// Clients and background work to run (a `ServiceGroup` does it) for the store to work.
    public let services: [any Service]
    /// Whether the component is marked as the actor state store (reported, not used: no actors here).
    public let isActorStateStore: Bool
    private let defaultTTLInSeconds: Int?

    public init(component: StateComponent, logger: Logger) throws(ComponentError) {
        self.component = component
        defaultTTLInSeconds = try component.integer("ttlInSeconds")
        isActorStateStore = try component.boolean("actorStateStore") ?? false
        let base: any StateStore
        var policy = ResilientStateStore.Policy()
        switch component.type {
        case "state.redis":
            let redis = RedisClient(configuration: try Self.redisConfiguration(component), logger: logger)
            base = RedisStateStore(client: redis, logger: logger)
            services = [redis]
        case "state.postgresql":
            let postgres = PostgresClient(configuration: try Self.postgresConfiguration(component), backgroundLogger: logger)
            let legacyCleanup = try component.integer("cleanupIntervalInSeconds").map { Duration.seconds($0) }
            let cleanup = try component.duration("cleanupInterval") ?? legacyCleanup
            let store = PostgresStateStore(
                client: postgres, tableName: component.metadata["tableName"] ?? "state",
                metadataTableName: component.metadata["metadataTableName"] ?? "dapr_metadata",
                cleanupInterval: cleanup ?? .seconds(3_600), logger: logger)
            base = store
            services = [postgres, store]
            policy.attemptTimeout = ResilientStateStore.postgresAttemptTimeout
        default:
            base = MemoryStateStore()
            services = []
        }
        store = ResilientStateStore(base, policy: policy, logger: logger)
    }

    /// A client of this store for one app, with the component's key prefix and default TTL.
    public func client(appID: String) -> StateClient {
        StateClient(store: store, storeName: component.name, appID: appID, keyPrefix: component.keyPrefix, defaultTTLInSeconds: defaultTTLInSeconds)
    }

    static func redisConfiguration(_ component: StateComponent) throws(ComponentError) -> RedisClient.Configuration {
        let address = try component.required("redisHost")
        let parts = address.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty, let port = parts.count == 2 ? Int(parts[1]) : 6379, (1...65_535).contains(port) else {
            throw ComponentError(file: component.file, field: "spec.metadata redisHost", problem: "is '\(address)', expected host:port")
        }
        if try component.boolean("enableTLS") == true {
            throw ComponentError(file: component.file, field: "spec.metadata enableTLS", problem: "TLS to Redis is not supported by this project's Redis client")
        }
        return RedisClient.Configuration(
            host: String(parts[0]), port: port, username: component.metadata["redisUsername"].flatMap { $0.isEmpty ? nil : $0 },
            password: component.metadata["redisPassword"].flatMap { $0.isEmpty ? nil : $0 }, database: try component.integer("redisDB") ?? 0)
    }

    static func postgresConfiguration(_ component: StateComponent) throws(ComponentError) -> PostgresClient.Configuration {
        let text = try component.required("connectionString")
        guard let settings = PostgresConnectionString(text) else {
            throw ComponentError(
                file: component.file, field: "spec.metadata connectionString",
                problem: "cannot be read; write 'host=… port=… user=… password=… database=…' or 'postgres://user:password@host:port/database'")
        }
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password, database: settings.database,
            tls: .disable)
        // Dapr's `maxConns`: 0 or less (or none) is the default size (4).
        let maxConns = try component.integer("maxConns") ?? 0
        configuration.useFixedPool(size: maxConns > 0 ? maxConns : PostgresClient.Configuration.defaultPoolSize)
        return configuration
    }
}

/// The parts of a PostgreSQL connection string (libpq's `key=value` form or a URL) we use.
struct PostgresConnectionString: Equatable {
    var host = "localhost"
    var port = 5432
    var user = "postgres"
    var password: String?
    var database: String?

    init(host: String, port: Int, user: String, password: String?, database: String?) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
    }

    init?(_ text: String) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let url = URLComponents(string: text), let host = url.host, !host.isEmpty else { return nil }
            self.host = host
            port = url.port ?? 5432
            user = url.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
            password = url.password.flatMap { $0.removingPercentEncoding }
            let path = url.path.drop { $0 == "/" }
            database = path.isEmpty ? nil : String(path)
            return
        }
        for (key, value) in Self.keyValuePairs(text) ?? [("", "")] {
            switch key.lowercased() {
            case "host": host = value
            case "port":
                guard let number = Int(value) else { return nil }
                port = number
            case "user", "username": user = value
            case "password": password = value
            case "database", "dbname": database = value
            case "": return nil
            default: continue  // sslmode, connect_timeout, pool sizes: not ours to tune here
            }
        }
    }

    /// libpq's `key=value key='quoted value'` pairs (`\'` and `\\` escape inside quotes); `nil`
    /// when the text is not of that form.
    static func keyValuePairs(_ text: String) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        var rest = Substring(text)
        while true {
            rest = rest.drop { $0.isWhitespace }
            guard !rest.isEmpty else { return pairs }
            let key = rest.prefix { $0 != "=" && !$0.isWhitespace }
            rest = rest.dropFirst(key.count).drop { $0.isWhitespace }
            guard !key.isEmpty, rest.first == "=" else { return nil }
            rest = rest.dropFirst().drop { $0.isWhitespace }
            var value = ""
            if rest.first == "'" {
                rest = rest.dropFirst()
                while let character = rest.first, character != "'" {
                    rest = rest.dropFirst()
                    if character == "\\", let escaped = rest.first {
                        value.append(escaped)
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "'" else { return nil }
                rest = rest.dropFirst()
            } else {
                value = String(rest.prefix { !$0.isWhitespace })
                rest = rest.dropFirst(value.count)
            }
            pairs.append((String(key), value))
        }
    }
}
