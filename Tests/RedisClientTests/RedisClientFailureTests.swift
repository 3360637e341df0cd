import Foundation
import ServiceLifecycle
import ServiceLifecycleTestKit
import TestSupport
import Testing

@testable import RedisClient

/// Failures, against a redis-server of each test's own that it can stop and restart.
@Suite(.redisReachable, .redisServerInstalled, .timeLimit(.minutes(1))) struct RedisClientFailureTests {
    @Test func refusesAWrongPasswordWithATypedError() async throws {
        let server = try await OwnRedisServer()
        var configuration = server.configuration
        configuration.password = "not-the-password"
        await #expect { try await TestRedis.withClient(configuration) { try await $0.ping() } } throws: { error in
            (error as? RedisError)?.code == .authenticationFailed
        }
        try await server.remove()
    }

    @Test func failsFastWhenNothingListens() async throws {
        let configuration = RedisClient.Configuration(port: try await TestRedis.freePort())
        let started = ContinuousClock.now
        await #expect { try await TestRedis.withClient(configuration) { try await $0.ping() } } throws: { error in
            (error as? RedisError)?.code == .connectionFailed
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func reconnectsAfterTheServerRestartsMidTest() async throws {
        let server = try await OwnRedisServer()
        try await TestRedis.withClient(server.configuration) { redis in
            let key = TestRedis.uniqueKey()
            try await redis.set(key, to: "before")
            try await server.stop()
            await #expect(throws: RedisError.self) { try await redis.get(key) }
            try await server.start()
            try await eventually("Redis to answer PING again", within: .seconds(5)) { try await redis.ping() }
            for round in 0..<100 {
                try await redis.set(key, to: "after-\(round)")
            }
            #expect(try await redis.get(key) == Array("after-99".utf8))
        }
        try await server.remove()
    }

    @Test func timesOutASilentCommandAndCarriesOn() async throws {
        let server = try await OwnRedisServer()
        var configuration = server.configuration
        configuration.commandTimeout = .milliseconds(200)
        configuration.minimumConnections = 1
        try await TestRedis.withClient(configuration) { redis in
            await #expect { try await redis.send(RedisCommand("BLPOP", TestRedis.uniqueKey(), 5)) } throws: { error in
                (error as? RedisError)?.code == .timeout
            }
            try await eventually("Redis to answer PING again", within: .seconds(3)) { try await redis.ping() }
        }
        try await server.remove()
    }

    @Test func refusesLeasesBeyondTheMaximumConnections() async throws {
        var configuration = TestRedis.configuration
        configuration.minimumConnections = 1
        configuration.maximumConnections = 2
        try await TestRedis.withClient(configuration) { redis in
            try await redis.withConnection { _ in
                await #expect { try await redis.withConnection { _ in } } throws: { error in
                    (error as? RedisError)?.code == .poolExhausted
                }
            }
            try await redis.withConnection { connection in _ = try await connection.send(RedisCommand("PING")) }
        }
    }

    @Test func shutsDownGracefullyAndRefusesLaterCommands() async throws {
        let redis = RedisClient(configuration: TestRedis.configuration, logger: TestRedis.logger)
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                let serviceGroup = ServiceGroup(services: [redis], logger: TestRedis.logger)
                group.addTask { try await serviceGroup.run() }
                try await eventually("Redis to answer PING again", within: .seconds(5)) { try await redis.ping() }
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        await #expect { try await redis.ping() } throws: { error in (error as? RedisError)?.code == .clientShutdown }
    }
}
