import Foundation
import TestSupport
import Testing

@testable import RedisClient

/// Against the real redis-server that `scripts/test` starts.
@Suite(.redisReachable, .timeLimit(.minutes(1))) struct RedisClientIntegrationTests {
    @Test func roundTripsTextBinaryEmptyAndOneMebibyteValues() async throws {
        try await TestRedis.withClient { redis in
            let values: [[UInt8]] = [
                Array("grüße, 世界 🚀".utf8), [0, 1, 13, 10, 255, 0], [], [UInt8](repeating: 0x61, count: 1 << 20),
            ]
            for value in values {
                let key = TestRedis.uniqueKey()
                try await redis.set(key, to: value)
                #expect(try await redis.get(key) == value)
                #expect(try await redis.delete(key) == 1)
            }
            #expect(try await redis.get(TestRedis.uniqueKey()) == nil)
        }
    }

    @Test func pipelinesTenThousandCommandsAndMatchesEveryReply() async throws {
        try await TestRedis.withClient { redis in
            let key = TestRedis.uniqueKey()
            let replies = try await redis.pipeline(Array(repeating: RedisCommand("INCR", key), count: 10_000))
            #expect(replies == (1...10_000).map { RESPValue.integer(Int64($0)) })
            try await redis.delete(key)
        }
    }

    @Test func servesAHundredConcurrentTasks() async throws {
        try await TestRedis.withClient { redis in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<100 {
                    group.addTask {
                        let key = TestRedis.uniqueKey("task\(task)")
                        for round in 0..<50 {
                            try await redis.set(key, to: "\(task)-\(round)")
                            #expect(try await redis.get(key) == Array("\(task)-\(round)".utf8))
                        }
                        try await redis.delete(key)
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func throwsServerErrorRepliesAsTypedErrors() async throws {
        try await TestRedis.withClient { redis in
            let key = TestRedis.uniqueKey()
            try await redis.set(key, to: "plain")
            await #expect { try await redis.hashGetAll(key) } throws: { error in
                (error as? RedisError)?.serverErrorPrefix == "WRONGTYPE"
            }
            await #expect { try await redis.send(RedisCommand("NOSUCHCOMMAND")) } throws: { error in
                (error as? RedisError)?.code == .server && (error as? RedisError)?.serverErrorPrefix == "ERR"
            }
            try await redis.delete(key)
        }
    }

    @Test func runsScriptsThroughTheScriptCacheAndReloadsThemOnNOSCRIPT() async throws {
        try await TestRedis.withClient { redis in
            let script = RedisScript("return ARGV[1] .. '-\(UUID().uuidString)'")
            let exists = { try await redis.send(RedisCommand("SCRIPT", "EXISTS", script.sha1)) }
            #expect(try await exists() == .array([.integer(0)]))
            let first = try await redis.eval(script, arguments: ["hi"])  // NOSCRIPT → EVAL loads it
            #expect(try await exists() == .array([.integer(1)]))
            let second = try await redis.eval(script, arguments: ["hi"])  // EVALSHA hits the cache
            #expect(first == second)
            #expect(first.string?.hasPrefix("hi-") == true)
        }
    }

    @Test func runsMULTIEXECAtomically() async throws {
        try await TestRedis.withClient { redis in
            let key = TestRedis.uniqueKey()
            let replies = try await redis.transaction([
                RedisCommand("SET", key, 1), RedisCommand("INCR", key), RedisCommand("GET", key),
            ])
            #expect(replies == [.simpleString("OK"), .integer(2), .bulkString(Array("2".utf8))])
            try await redis.delete(key)
        }
    }

    @Test func abortsATransactionWhenACommandCannotBeQueued() async throws {
        try await TestRedis.withClient { redis in
            let key = TestRedis.uniqueKey()
            await #expect { try await redis.transaction([RedisCommand("SET", key, 1), RedisCommand("INCR")]) } throws: { error in
                (error as? RedisError)?.serverErrorPrefix == "EXECABORT"
            }
            let value = try await redis.get(key)
            #expect(value == nil)
        }
    }

    @Test func selectsTheConfiguredDatabase() async throws {
        try await TestRedis.withDatabase { otherDatabase in
            let key = TestRedis.uniqueKey()
            try await TestRedis.withClient(otherDatabase) { redis in try await redis.set(key, to: "elsewhere") }
            #expect(try await TestRedis.withClient { try await $0.get(key) } == nil)
            #expect(try await TestRedis.withClient(otherDatabase) { try await $0.get(key) } == Array("elsewhere".utf8))
        }
    }

    /// A blocking command is judged by its block time plus the command timeout, never by the
    /// command timeout alone (issue: idle `XREADGROUP … BLOCK` reads logged timeouts under load).
    @Test func aBlockingReadLongerThanTheCommandTimeoutIsNoTimeout() async throws {
        var configuration = TestRedis.configuration
        configuration.commandTimeout = .milliseconds(200)
        try await TestRedis.withClient(configuration) { redis in
            let list = TestRedis.uniqueKey()
            let started = ContinuousClock.now
            let reply = try await redis.withConnection { connection in
                try await connection.send(RedisCommand("BLPOP", list, "0.6"), blockingFor: .milliseconds(600))
            }
            #expect(reply == .null)  // BLPOP timed out on the server: a null reply
            #expect(ContinuousClock.now - started >= .milliseconds(500))
            await #expect(throws: RedisError.self) {  // without the allowance, the same read times out
                try await redis.withConnection { connection in try await connection.send(RedisCommand("BLPOP", list, "0.6")) }
            }
        }
    }

    @Test func leasesAConnectionForABlockingCommandWhileOthersGoOn() async throws {
        try await TestRedis.withClient { redis in
            let list = TestRedis.uniqueKey()
            async let popped = redis.withConnection { connection in
                try await connection.send(RedisCommand("BLPOP", list, 3))
            }
            try await eventually("a shared connection to answer while the lease blocks", within: .seconds(2)) {
                // Shared connections stay usable while the lease blocks.
                try await redis.ping()
                _ = try await redis.send(RedisCommand("RPUSH", list, "item"))
            }
            #expect(try await popped == .array([.bulkString(Array(list.utf8)), .bulkString(Array("item".utf8))]))
        }
    }
}
