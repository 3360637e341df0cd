import Foundation
import RedisClient
import StateClient
import StateStores
import Testing
import TestSupport

/// The Redis store keeps Dapr's layout, proven by looking at Redis directly: a hash per item with
/// exactly `data` (the value bytes as given) and `version` (the ETag), TTL on the key, and hashes
/// a Dapr sidecar wrote read as they are.
@Suite(.redisReachable, .timeLimit(.minutes(1))) struct RedisStateStoreLayoutTests {
    @Test func storesAHashWithExactlyTheValueBytesAndAVersion() async throws {
        try await withRedisStateStore { store, redis in
            let prefix = uniqueRedisPrefix()
            let values: [[UInt8]] = [
                Array("12345678901234567890".utf8), Array("0.1".utf8),
                Array(#"{"n":12345678901234567890,"price":0.10,"e":1E+2,"s":"gr\u00fc\u00dfe"}"#.utf8),
                [0x00, 0xFF, 0x7B, 0x0A, 0xC3], [],
            ]
            for (index, value) in values.enumerated() {
                let key = "\(prefix)value-\(index)"
                let clock = try await serverClock(redis) { try await store.set(SetRequest(key: key, value: value)) }
                let hash = try await redis.hashGetAll(key)
                #expect(Set(hash.keys) == ["data", "version"])
                #expect(hash["data"] == value)
                let version = try #require(versionNumber(hash["version"]))
                #expect(clock.contains(version), "a new item's first version is the server clock in microseconds")
                let item = try #require(try await store.get(key, consistency: .eventual))
                #expect(item == StateItem(key: key, value: value, etag: String(version)))
            }
        }
    }

    @Test func failsOnlyTheKeysThatAreNotStateHashes() async throws {
        try await withRedisStateStore { store, redis in
            let prefix = uniqueRedisPrefix()
            try await store.set(SetRequest(key: prefix + "good", value: Array("1".utf8)))
            _ = try await redis.send(RedisCommand("SET", prefix + "string", "not a hash"))
            _ = try await redis.send(RedisCommand("HSET", prefix + "no-data", "version", "1"))
            let result = try await store.bulkGet([prefix + "good", prefix + "string", prefix + "no-data", prefix + "absent"], consistency: .eventual)
            #expect(Set(result.items.keys) == [UTF8Key(prefix + "good")])
            #expect(Set(result.failures.keys) == [UTF8Key(prefix + "string"), UTF8Key(prefix + "no-data")])
            #expect(result.failures[UTF8Key(prefix + "string")]?.message.contains("is a Redis string") == true)
            await #expect { try await store.get(prefix + "string", consistency: .eventual) } throws: { error in
                (error as? StateError)?.code == .storeFailure
            }
        }
    }

    @Test func incrementsTheVersionOnEveryWrite() async throws {
        try await withRedisStateStore { store, redis in
            let key = uniqueRedisPrefix() + "counter"
            let clock = try await serverClock(redis) { try await store.set(SetRequest(key: key, value: Array("1".utf8))) }
            let first = try #require(try await storedVersion(key, redis))
            #expect(clock.contains(first))
            for write in 2...3 {
                try await store.set(SetRequest(key: key, value: Array("\(write)".utf8)))
                let expected = first + Int64(write - 1)
                #expect(try await storedVersion(key, redis) == expected)
                #expect(try await store.get(key, consistency: .eventual)?.etag == String(expected))
            }
            try await store.set(SetRequest(key: key, value: Array("4".utf8), etag: String(first + 2)))
            #expect(try await storedVersion(key, redis) == first + 3)
        }
    }

    @Test func storesUnderTheAppPrefixedKey() async throws {
        try await withRedisStateStore { store, redis in
            let appID = "myapp-\(UUID().uuidString)"
            let state = StateClient(store: store, storeName: "statestore", appID: appID)
            try await state.save("k", bytes: Array(#"{"a":1}"#.utf8))
            #expect(try await redis.send(RedisCommand("TYPE", "\(appID)||k")).string == "hash")
            #expect(try await redis.hashGetAll("\(appID)||k")["data"] == Array(#"{"a":1}"#.utf8))
        }
    }

    @Test func setsTheTTLOnTheKeyAndClearsItOnAnOverwriteWithoutOne() async throws {
        try await withRedisStateStore { store, redis in
            let key = uniqueRedisPrefix() + "ttl"
            let before = Date()
            try await store.set(SetRequest(key: key, value: Array("1".utf8), ttlInSeconds: 100))
            let after = Date()
            // Redis applied the write between `before` and `after`: the expiry is 100 s after that.
            let expireTime = try #require(try await redis.send(RedisCommand("PEXPIRETIME", key)).int)
            let earliest = (before.timeIntervalSince1970 + 100) * 1_000 - 1
            let latest = (after.timeIntervalSince1970 + 100) * 1_000 + 1
            #expect((earliest...latest).contains(Double(expireTime)))
            let ttl = try #require(try await redis.send(RedisCommand("TTL", key)).int)
            #expect((1...100).contains(ttl) && Double(ttl) >= 100 - Date().timeIntervalSince(before) - 1)
            let expiresAt = try #require(try await store.get(key, consistency: .eventual)?.expiresAt)
            #expect(abs(expiresAt.timeIntervalSince1970 * 1_000 - Double(expireTime)) < 1)

            try await store.set(SetRequest(key: key, value: Array("2".utf8)))
            #expect(try await redis.send(RedisCommand("TTL", key)).int == -1)
            #expect(try await redis.send(RedisCommand("PEXPIRETIME", key)).int == -1)
            #expect(try await store.get(key, consistency: .eventual)?.expiresAt == nil)

            try await store.set(SetRequest(key: key, value: Array("3".utf8), ttlInSeconds: 100))
            try await store.set(SetRequest(key: key, value: Array("4".utf8), ttlInSeconds: -1))
            #expect(try await redis.send(RedisCommand("TTL", key)).int == -1)
        }
    }

    @Test func hidesExpiredItems() async throws {
        try await withRedisStateStore { store, redis in
            let prefix = uniqueRedisPrefix()
            let key = prefix + "short"
            try await store.set(SetRequest(key: key, value: Array("1".utf8), ttlInSeconds: 100))
            let etag = try #require(try await store.get(key, consistency: .eventual)).etag
            _ = try await redis.send(RedisCommand("PEXPIRE", key, 30))  // shorten it for the test
            try await waitUntil("the key to expire", within: .seconds(2)) { try await store.get(key, consistency: .eventual) == nil }
            #expect(try await store.bulkGet([key], consistency: .eventual).items.isEmpty)
            #expect(try await store.keys(prefix: prefix, limit: 10, token: nil).keys.isEmpty)
            await #expect { try await store.set(SetRequest(key: key, value: Array("2".utf8), etag: etag)) } throws: { error in
                (error as? StateError)?.code == .etagMismatch
            }
        }
    }

    @Test func readsAndUpdatesAHashDaprWrote() async throws {
        try await withRedisStateStore { store, redis in
            let key = uniqueRedisPrefix("dapr-app") + "order"
            let value = Array(#"{"id":7,"total":12.50}"#.utf8)
            try await redis.hashSet(key, fields: [("data", value), ("version", "7"), ("first-write", "0")])

            let item = try #require(try await store.get(key, consistency: .eventual))
            #expect(item == StateItem(key: key, value: value, etag: "7"))

            try await store.set(SetRequest(key: key, value: Array("1".utf8), etag: "7"))
            #expect(try await redis.hashGetAll(key) == ["data": Array("1".utf8), "version": Array("8".utf8)])
        }
    }

    @Test func neverReusesAVersionAfterDelete() async throws {
        try await withRedisStateStore { store, redis in
            let key = uniqueRedisPrefix() + "recreated"
            try await store.set(SetRequest(key: key, value: Array("old".utf8)))
            let oldETag = try #require(try await store.get(key, consistency: .eventual)).etag
            try await store.delete(DeleteRequest(key: key, etag: oldETag))

            let clock = try await serverClock(redis) { try await store.set(SetRequest(key: key, value: Array("new".utf8))) }
            let newETag = try #require(try await store.get(key, consistency: .eventual)).etag
            let (old, new) = (try #require(versionNumber(oldETag)), try #require(versionNumber(newETag)))
            #expect(clock.contains(new))
            #expect(new > old)

            await #expect { try await store.set(SetRequest(key: key, value: Array("stale".utf8), etag: oldETag)) } throws: { error in
                (error as? StateError)?.code == .etagMismatch
            }
            await #expect { try await store.delete(DeleteRequest(key: key, etag: oldETag)) } throws: { error in
                (error as? StateError)?.code == .etagMismatch
            }
            #expect(try await store.get(key, consistency: .eventual) == StateItem(key: key, value: Array("new".utf8), etag: newETag))
        }
    }

    @Test func rejectsAHashWithoutDataOrVersion() async throws {
        try await withRedisStateStore { store, redis in
            let key = uniqueRedisPrefix() + "broken"
            try await redis.hashSet(key, fields: [("data", "1")])
            await #expect { try await store.get(key, consistency: .eventual) } throws: { error in
                (error as? StateError)?.code == .storeFailure
            }
        }
    }

    @Test func changesNothingWhenOneTransactionOperationFails() async throws {
        try await withRedisStateStore { store, redis in
            let prefix = uniqueRedisPrefix()
            let (a, b, c, d) = (prefix + "a", prefix + "b", prefix + "c", prefix + "d")
            try await store.set(SetRequest(key: a, value: Array("a1".utf8), ttlInSeconds: 500))
            try await store.set(SetRequest(key: b, value: Array("b1".utf8)))
            try await store.set(SetRequest(key: d, value: Array("d1".utf8)))
            let before = try await [a, b, c, d].asyncMap { try await redis.hashGetAll($0) }
            let etagOfA = try #require(try await store.get(a, consistency: .eventual)).etag
            let ttlBefore = try await redis.send(RedisCommand("PEXPIRETIME", a)).int

            await #expect { try await store.transaction([
                .upsert(SetRequest(key: a, value: Array("a2".utf8), etag: etagOfA)),
                .delete(DeleteRequest(key: b)),
                .upsert(SetRequest(key: c, value: Array("c1".utf8), ttlInSeconds: 10)),
                .upsert(SetRequest(key: d, value: Array("d2".utf8), etag: "99")),
            ]) } throws: { error in
                (error as? StateError)?.code == .etagMismatch
            }

            #expect(try await [a, b, c, d].asyncMap { try await redis.hashGetAll($0) } == before)
            #expect(try await redis.send(RedisCommand("PEXPIRETIME", a)).int == ttlBefore)
            #expect(try await redis.send(RedisCommand("EXISTS", c)).int == 0)
        }
    }

    /// Each case pages in an emptied database of its own (``TestRedis/withDatabase(within:_:)``):
    /// `SCAN` may repeat a key when Redis shrinks its table mid-iteration, which deletes by other
    /// tests could cause, and the split-batch check needs a table sized by this test's keys alone.
    @Test(arguments: [100, 7, 1])
    func pagesThroughEveryKeyOnceAndNoOtherPrefix(limit: Int) async throws {
        try await TestRedis.withDatabase { configuration in try await pagesThroughEveryKeyOnce(limit: limit, configuration: configuration) }
    }

    private func pagesThroughEveryKeyOnce(limit: Int, configuration: RedisClient.Configuration) async throws {
        try await withRedisStateStore(configuration: configuration) { store, redis in
            let id = UUID().uuidString
            let prefixes = ["app-\(id)||", "glob*?[x]\\-\(id)||"]
            let decoys = [
                "app-\(id)|x||k", "app-\(id)", "xapp-\(id)||k",  // other prefixes sharing text
                "globZZQx-\(id)||k", "glob*?x-\(id)||k", "glob*?[x]-\(id)||k",  // match the prefix as a glob
            ]
            let count = 250
            var expected: [String: Set<String>] = [:]
            for prefix in prefixes {
                expected[prefix] = Set((0..<count).map { "\(prefix)item-\($0)" })
                _ = try await redis.pipeline(expected[prefix]!.map { RedisCommand("HSET", $0, "data", "1", "version", "1") })
            }
            for decoy in decoys { try await redis.hashSet(decoy, fields: [("data", "1"), ("version", "1")]) }
            try await redis.set("\(prefixes[0])plain-string", to: "not an item")

            for prefix in prefixes {
                var seen: [String] = []
                var token: String?
                var pages = 0
                var splitBatches = 0
                repeat {
                    let page = try await store.keys(prefix: prefix, limit: limit, token: token)
                    #expect(page.keys.count <= limit)
                    seen += page.keys
                    token = page.token
                    pages += 1
                    if token?.contains(":") ?? false { splitBatches += 1 }
                } while token != nil && pages < 10_000
                #expect(seen.count == count)
                #expect(Set(seen) == expected[prefix])
                if limit == 1 {
                    // At `COUNT 1` a batch is one hash-table bucket. 250 keys of the prefix, 507 in
                    // the database, so a table of 512 buckets: some bucket holds two of them (the
                    // chance that none does is e^(−250·249/1024), under 10⁻²⁶), so a batch got split.
                    #expect(splitBatches > 0)
                }
            }
            _ = try await redis.send(RedisCommand("DEL", arguments: expected.values.flatMap { $0 } + decoys + ["\(prefixes[0])plain-string"]))
        }
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// The server-clock span (microseconds since the epoch, from Redis `TIME` just before and just
/// after) that `write` ran in: the first version of an item `write` created lies within it.
func serverClock(_ redis: RedisClient, around write: () async throws -> Void) async throws -> ClosedRange<Int64> {
    let before = try await serverMicroseconds(redis)
    try await write()
    let after = try await serverMicroseconds(redis)
    return before...after
}

/// Redis' `TIME` in microseconds — the clock `RedisStateStore.applyScript` takes first versions from.
func serverMicroseconds(_ redis: RedisClient) async throws -> Int64 {
    let time = try #require(try await redis.send(RedisCommand("TIME")).array)
    try #require(time.count == 2)
    let seconds = try #require(time[0].int), microseconds = try #require(time[1].int)
    return seconds * 1_000_000 + microseconds
}

/// The version field of `key`'s hash as a number, nil when absent or not a plain decimal integer.
func storedVersion(_ key: String, _ redis: RedisClient) async throws -> Int64? {
    try await versionNumber(redis.hashGetAll(key)["version"])
}

/// `etag` as a number if it is a plain decimal integer (digits only, no sign or leading zero).
func versionNumber(_ etag: String?) -> Int64? {
    guard let etag, let number = Int64(etag), number > 0, String(number) == etag else { return nil }
    return number
}

/// The same for a version field's bytes.
func versionNumber(_ bytes: [UInt8]?) -> Int64? {
    versionNumber(bytes.map { String(decoding: $0, as: UTF8.self) })
}
