import Foundation
import Logging
import RedisClient
import StateStores
import TestSupport

/// The Redis server of `scripts/test`: `REDIS_HOST` (default 127.0.0.1), `REDIS_PORT` (6379),
/// `REDIS_PASSWORD` (none), database 0.
func redisTestConfiguration() -> RedisClient.Configuration {
    TestRedis.configuration
}

/// Runs `body` with a ``RedisStateStore`` on a running client of the test server (and the client
/// itself, to look at Redis directly); the client stops when `body` returns. Tests isolate with
/// unique keys, never by flushing (or lease a database of their own: `TestRedis.withDatabase`).
func withRedisStateStore<T: Sendable>(
    _ body: @Sendable (RedisStateStore, RedisClient) async throws -> T
) async throws -> T {
    try await withRedisStateStore(configuration: redisTestConfiguration(), body)
}

/// ``withRedisStateStore(_:)`` against any server or database.
func withRedisStateStore<T: Sendable>(
    configuration: RedisClient.Configuration,
    _ body: @Sendable (RedisStateStore, RedisClient) async throws -> T
) async throws -> T {
    try await TestRedis.withClient(configuration) { client in
        try await body(RedisStateStore(client: client, logger: TestRedis.logger), client)
    }
}

/// A prefix no other test uses, in the stored-key format (`<app>||`).
func uniqueRedisPrefix(_ name: String = "redis-state") -> String {
    "\(name)-\(UUID().uuidString)||"
}
