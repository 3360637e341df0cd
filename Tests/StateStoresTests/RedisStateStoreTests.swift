import Foundation
import Logging
import RedisClient
import StateClient
import Testing
import TestSupport

@testable import StateStores

/// What is particular to the Redis store beyond the shared conformance suite: its checks inside
/// the scripts, error mapping, keys that are not items, and the token format of `keys`.
@Suite(.redisReachable, .timeLimit(.minutes(1))) struct RedisStateStoreTests {
    private func expectCode(
        _ code: StateError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async {
        await #expect(sourceLocation: sourceLocation) { try await body() } throws: { error in
            (error as? StateError)?.code == code
        }
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func declaresEverythingButQuery() async throws {
        try await withRedisStateStore { store, _ in
            #expect(store.capabilities == [.etag, .transactional, .ttl, .keys])
            await expectCode(.unsupported) { _ = try await store.query(StateQuery(), keyPrefix: "x||") }
        }
    }

    @Test func checksETagsInsideTheScript() async throws {
        try await withRedisStateStore { store, redis in
            let key = uniqueRedisPrefix() + "k"
            await expectCode(.etagMismatch) { try await store.set(SetRequest(key: key, value: bytes("1"), etag: "1")) }
            #expect(try await redis.send(RedisCommand("EXISTS", key)).int == 0)

            try await store.set(SetRequest(key: key, value: bytes("1")))
            let etag = try #require(try await store.get(key, consistency: .eventual)).etag
            await expectCode(.etagMismatch) { try await store.set(SetRequest(key: key, value: bytes("2"), etag: "2")) }
            await expectCode(.etagInvalid) { try await store.set(SetRequest(key: key, value: bytes("2"), etag: "W/\"1\"")) }
            await expectCode(.etagInvalid) { try await store.delete(DeleteRequest(key: key, etag: "01")) }
            await expectCode(.etagMismatch) { try await store.delete(DeleteRequest(key: key, etag: "2")) }
            #expect(try await store.get(key, consistency: .eventual)?.value == bytes("1"))

            try await store.delete(DeleteRequest(key: key, etag: etag))
            #expect(try await store.get(key, consistency: .eventual) == nil)
            await expectCode(.etagMismatch) { try await store.delete(DeleteRequest(key: key, etag: etag)) }
            try await store.delete(DeleteRequest(key: key))  // absent without an ETag: fine
        }
    }

    @Test func reportsTheConflictingKey() async throws {
        try await withRedisStateStore { store, _ in
            let key = uniqueRedisPrefix() + "k"
            try await store.set(SetRequest(key: key, value: bytes("1")))
            do {
                try await store.set(SetRequest(key: key, value: bytes("2"), concurrency: .firstWrite))
                Issue.record("a first-write on an existing key succeeded")
            } catch let error as StateError {
                #expect(error == StateError(.etagMismatch, "first-write: key \(key) already exists"))
            }
        }
    }

    @Test func makesFirstWriteInsertOnlyUnlessAnETagIsGiven() async throws {
        try await withRedisStateStore { store, _ in
            let key = uniqueRedisPrefix() + "k"
            try await store.set(SetRequest(key: key, value: bytes("1"), concurrency: .firstWrite))
            let etag = try #require(try await store.get(key, consistency: .eventual)).etag
            let first = try #require(versionNumber(etag))
            await expectCode(.etagMismatch) {
                try await store.set(SetRequest(key: key, value: bytes("2"), concurrency: .firstWrite))
            }
            try await store.set(SetRequest(key: key, value: bytes("3"), etag: etag, concurrency: .firstWrite))
            try await store.set(SetRequest(key: key, value: bytes("4")))  // last-write is not blocked afterwards
            #expect(try await store.get(key, consistency: .eventual) == StateItem(key: key, value: bytes("4"), etag: String(first + 2)))
        }
    }

    @Test func letsLaterTransactionOperationsSeeEarlierOnes() async throws {
        try await withRedisStateStore { store, redis in
            let prefix = uniqueRedisPrefix()
            let (a, b, c) = (prefix + "a", prefix + "b", prefix + "c")
            try await store.set(SetRequest(key: a, value: bytes("0")))
            try await store.set(SetRequest(key: b, value: bytes("0")))
            let versionOfA = try #require(versionNumber(try await store.get(a, consistency: .eventual)?.etag))
            let etagOfB = try #require(try await store.get(b, consistency: .eventual)).etag
            let deletedVersionOfB = try #require(versionNumber(etagOfB))

            let clock = try await serverClock(redis) {
                try await store.transaction([
                    .upsert(SetRequest(key: a, value: bytes("1"), etag: String(versionOfA))),
                    .upsert(SetRequest(key: a, value: bytes("2"), etag: String(versionOfA + 1))),  // the version just written
                    .delete(DeleteRequest(key: b, etag: etagOfB)),
                    .upsert(SetRequest(key: b, value: bytes("1"), concurrency: .firstWrite)),  // b is gone
                    .upsert(SetRequest(key: c, value: bytes("1"), concurrency: .firstWrite)),
                    .upsert(SetRequest(key: c, value: bytes("2"))),  // increments the version c just got
                ])
            }
            #expect(try await store.get(a, consistency: .eventual) == StateItem(key: a, value: bytes("2"), etag: String(versionOfA + 2)))
            let itemB = try #require(try await store.get(b, consistency: .eventual))
            #expect(itemB.value == bytes("1"))
            let versionOfB = try #require(versionNumber(itemB.etag))
            #expect(clock.contains(versionOfB))  // started anew, not from the deleted version
            #expect(versionOfB > deletedVersionOfB)
            let itemC = try #require(try await store.get(c, consistency: .eventual))
            #expect(itemC.value == bytes("2"))
            let versionOfC = try #require(versionNumber(itemC.etag))
            #expect(clock.contains(versionOfC - 1))

            await expectCode(.etagMismatch) {
                try await store.transaction([
                    .delete(DeleteRequest(key: a)),
                    .upsert(SetRequest(key: prefix + "d", value: bytes("1"), concurrency: .firstWrite)),
                    .upsert(SetRequest(key: prefix + "d", value: bytes("1"), concurrency: .firstWrite)),
                ])
            }
            #expect(try await store.get(a, consistency: .eventual)?.value == bytes("2"))
            #expect(try await store.get(prefix + "d", consistency: .eventual) == nil)
        }
    }

    @Test func treatsAKeyThatIsNotAHashAsForeign() async throws {
        try await withRedisStateStore { store, redis in
            let key = uniqueRedisPrefix() + "plain"
            try await redis.set(key, to: "a plain string")
            await expectCode(.storeFailure) { _ = try await store.get(key, consistency: .eventual) }
            await expectCode(.etagMismatch) { try await store.set(SetRequest(key: key, value: bytes("1"), etag: "1")) }
            await expectCode(.etagMismatch) {
                try await store.set(SetRequest(key: key, value: bytes("1"), concurrency: .firstWrite))
            }
            let clock = try await serverClock(redis) {
                try await store.set(SetRequest(key: key, value: bytes("1")))  // a plain write replaces it
            }
            let item = try #require(try await store.get(key, consistency: .eventual))
            #expect(item.value == bytes("1"))
            #expect(clock.contains(try #require(versionNumber(item.etag))))  // a first version: the string had none
        }
    }

    @Test func rejectsATTLRedisCouldNotStore() async throws {
        try await withRedisStateStore { store, redis in
            let key = uniqueRedisPrefix() + "k"
            await expectCode(.invalidRequest) {
                try await store.set(SetRequest(key: key, value: bytes("1"), ttlInSeconds: StateClient.maximumTTLInSeconds + 1))
            }
            #expect(try await redis.send(RedisCommand("EXISTS", key)).int == 0)
            try await store.set(SetRequest(key: key, value: bytes("1"), ttlInSeconds: StateClient.maximumTTLInSeconds))
            #expect(try await store.get(key, consistency: .eventual)?.expiresAt != nil)
        }
    }

    @Test func readsManyKeysAtOnce() async throws {
        try await withRedisStateStore { store, redis in
            let prefix = uniqueRedisPrefix()
            let keys = (0..<300).map { "\(prefix)\($0)" }
            let clock = try await serverClock(redis) {
                try await store.transaction(keys.filter { $0.hasSuffix("7") }.map { .upsert(SetRequest(key: $0, value: bytes($0))) })
            }
            let found = try await store.bulkGet(keys + ["\(prefix)7"], consistency: .strong).items
            #expect(Set(found.keys) == Set(keys.filter { $0.hasSuffix("7") }.map { UTF8Key($0) }))
            #expect(found.allSatisfy { key, item in
                item.key == key.string && item.value == bytes(key.string) && versionNumber(item.etag).map(clock.contains) == true
            })
            #expect(try await store.bulkGet([], consistency: .eventual).items.isEmpty)
        }
    }

    @Test func writesStronglyWithoutReplicas() async throws {
        try await withRedisStateStore { store, _ in
            let key = uniqueRedisPrefix() + "k"
            try await store.set(SetRequest(key: key, value: bytes("1"), consistency: .strong))
            let etag = try #require(try await store.get(key, consistency: .strong)).etag
            try await store.delete(DeleteRequest(key: key, etag: etag, consistency: .strong))
            #expect(try await store.get(key, consistency: .strong) == nil)
        }
    }

    @Test func reportsAnUnreachableServerAsUnavailable() async throws {
        var configuration = redisTestConfiguration()
        configuration.port = 1  // nothing listens there
        configuration.connectTimeout = .milliseconds(200)
        try await withRedisStateStore(configuration: configuration) { store, _ in
            try await store.transaction([])  // sends nothing, so it succeeds
            await expectCode(.unavailable) { _ = try await store.get("x||k", consistency: .eventual) }
            await expectCode(.unavailable) { try await store.set(SetRequest(key: "x||k", value: Array("1".utf8))) }
            await expectCode(.unavailable) { _ = try await store.keys(prefix: "x||", limit: 10, token: nil) }
        }
    }

    @Test func mapsRedisErrors() {
        #expect(RedisStateStore.stateError(RedisError(.timeout, "late")).code == .unavailable)
        #expect(RedisStateStore.stateError(RedisError(.poolExhausted, "busy")).code == .unavailable)
        #expect(RedisStateStore.stateError(RedisError(.server, "WRONGTYPE Operation")).code == .storeFailure)
        #expect(RedisStateStore.stateError(RedisError(.server, "ETAGMISMATCH bad etag for k")) == StateError(.etagMismatch, "bad etag for k"))
        #expect(RedisStateStore.stateError(StateError(.etagInvalid, "x")) == StateError(.etagInvalid, "x"))
    }

    @Test func escapesGlobCharactersInThePrefix() {
        #expect(RedisStateStore.globEscaped(Array(#"a*b?c[d]e\f-ü"#.utf8)) == Array(#"a\*b\?c\[d\]e\\f-ü"#.utf8))
    }

    @Test func carriesKeysOfASplitBatchInTheToken() throws {
        let position = KeysPosition(cursor: "1234", pending: ["app||a", "app||ü/ß"])
        let token = try #require(position.token)
        #expect(token.hasPrefix("1234:"))
        #expect(!token.contains("+") && !token.contains("/") && !token.contains("="))
        #expect(try KeysPosition(token: token) == position)
        let last = KeysPosition(cursor: nil, pending: ["app||z"])
        #expect(try KeysPosition(token: last.token) == last)
        #expect(KeysPosition(cursor: nil).token == nil)
        #expect(KeysPosition(cursor: "42").token == "42")
    }

    @Test func rejectsTokensItDidNotGive() async throws {
        try await withRedisStateStore { store, _ in
            for token in ["abc", "-1", "12:not base64!", "12:", "1:W10"] {  // W10 is "[]"
                await expectCode(.invalidRequest) { _ = try await store.keys(prefix: "x||", limit: 10, token: token) }
            }
            await expectCode(.invalidRequest) { _ = try await store.keys(prefix: "x||", limit: 0, token: nil) }
        }
    }

    @Test func resumesFromASplitBatch() async throws {
        try await withRedisStateStore { store, redis in
            let prefix = uniqueRedisPrefix()
            let keys = ["\(prefix)a", "\(prefix)b", "\(prefix)c"]
            for key in keys { try await store.set(SetRequest(key: key, value: bytes("1"))) }
            // A token as a split batch leaves it: two keys still to hand out, then the scan is done.
            let token = KeysPosition(cursor: nil, pending: [keys[1], keys[2]]).token
            let first = try await store.keys(prefix: prefix, limit: 1, token: token)
            #expect(first.keys == [keys[1]])
            let second = try await store.keys(prefix: prefix, limit: 1, token: first.token)
            #expect(second == StateKeysPage(keys: [keys[2]], token: nil))
            _ = try await redis.send(RedisCommand("DEL", arguments: keys))
        }
    }
}
