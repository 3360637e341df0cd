import Foundation
import StateClient
import TestSupport
import Testing

/// One suite, run against every store: the rules of the state API (ARCHITECTURE.md "State API",
/// docs/state-management.md). Each test gets a fresh app id, so stores are never flushed.
@Suite(.timeLimit(.minutes(1))) struct ConformanceTests {
    /// Expects `actual` to be `expected`: the same bytes where the store keeps bytes, the same
    /// JSON value where it normalises JSON (PostgreSQL).
    private func expectValue(_ actual: [UInt8]?, _ expected: [UInt8], _ kind: StoreKind, sourceLocation: SourceLocation = #_sourceLocation) {
        if kind.keepsBytes {
            #expect(actual == expected, sourceLocation: sourceLocation)
        } else {
            #expect(actual.flatMap(JSONValue.init(json:)) == JSONValue(json: expected), sourceLocation: sourceLocation)
        }
    }

    private func expectCode(_ code: StateError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
        await #expect(sourceLocation: sourceLocation) { try await body() } throws: { error in
            (error as? StateError)?.code == code
        }
    }

    @Test(arguments: StoreKind.allCases)
    func savesReadsAndDeletesEveryKindOfJSONValue(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            let values = [
                "42", "-17", "3.14159265358979323846", "9223372036854775807", "0.1", "1e-7", "\"text\"", "\"\"", "true",
                "false", "null", "[]", "{}", #"{"a":[1,2,{"b":"c"}],"d":null}"#, #""grüße 世界 🚀""#,
            ]
            for (index, value) in values.enumerated() {
                let key = "value-\(index)"
                try await state.save(key, bytes: json(value))
                let entry = try #require(try await state.get(key))
                expectValue(entry.value, json(value), kind)
                #expect(entry.expiresAt == nil)
                try await state.delete(key)
                #expect(try await state.get(key) == nil)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func keepsLargeIntegersAndDecimalsExact(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            try await state.save("n", bytes: json(#"{"big":9007199254740993,"price":0.30000000000000004}"#))
            let stored = try #require(try await state.get("n")).value
            #expect(JSONValue(json: stored)?.value(at: "big") == .number(JSONNumber("9007199254740993")!))
            #expect(JSONValue(json: stored)?.value(at: "price") == .number(JSONNumber("0.30000000000000004")!))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func readsAndWritesInBulk(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            for key in ["a", "b", "c"] { try await state.save(key, bytes: json("\"\(key)\"")) }
            let found = try await state.bulkGet(["a", "b", "c", "missing"])
            #expect(Set(found.keys) == ["a", "b", "c"])
            expectValue(found["b"]?.value, json("\"b\""), kind)
            #expect(try await state.bulkGet([]).isEmpty)

            let etagOfA = try #require(try await state.get("a")).etag
            let failures = try await state.bulkSave([
                ("a", json("1"), SaveOptions(etag: etagOfA)), ("b", json("2"), SaveOptions(etag: "999999")), ("d", json("4"), SaveOptions()),
            ])
            #expect(failures.keys.sorted() == ["b"])  // not atomic: the others were written
            #expect(failures["b"]?.code == .etagMismatch)
            expectValue(try await state.get("a")?.value, json("1"), kind)
            expectValue(try await state.get("b")?.value, json("\"b\""), kind)
            expectValue(try await state.get("d")?.value, json("4"), kind)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func writesWithAMatchingETagOnly(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            try await state.save("k", bytes: json("1"))
            let first = try #require(try await state.get("k")).etag
            try await state.save("k", bytes: json("2"), options: SaveOptions(etag: first))
            let second = try #require(try await state.get("k")).etag
            #expect(second != first)
            await expectCode(.etagMismatch) { try await state.save("k", bytes: json("3"), options: SaveOptions(etag: first)) }
            await expectCode(.etagMismatch) { try await state.delete("k", etag: first) }
            expectValue(try await state.get("k")?.value, json("2"), kind)
            try await state.delete("k", etag: second)
            #expect(try await state.get("k") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func neverReusesTheETagOfADeletedItem(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            try await state.save("k", bytes: json("1"))
            let old = try #require(try await state.get("k")).etag
            try await state.delete("k")
            try await state.save("k", bytes: json("2"))
            #expect(try await state.get("k")?.etag != old)
            await expectCode(.etagMismatch) { try await state.save("k", bytes: json("3"), options: SaveOptions(etag: old)) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func treatsAnETagForAnAbsentKeyAsAConflict(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            await expectCode(.etagMismatch) { try await state.save("absent", bytes: json("1"), options: SaveOptions(etag: "1")) }
            await expectCode(.etagMismatch) { try await state.delete("absent", etag: "1") }
            try await state.delete("absent")  // without an ETag, deleting nothing is fine
            #expect(try await state.get("absent") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func rejectsETagsThatAreNotIntegers(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            try await state.save("k", bytes: json("1"))
            for etag in ["abc", "1.5", "-1", " 1"] {
                await expectCode(.etagInvalid) { try await state.save("k", bytes: json("2"), options: SaveOptions(etag: etag)) }
                await expectCode(.etagInvalid) { try await state.delete("k", etag: etag) }
            }
            expectValue(try await state.get("k")?.value, json("1"), kind)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func makesFirstWriteInsertOnly(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            let firstWrite = SaveOptions(concurrency: .firstWrite)
            try await state.save("order", bytes: json("1"), options: firstWrite)
            await expectCode(.etagMismatch) { try await state.save("order", bytes: json("2"), options: firstWrite) }
            let etag = try #require(try await state.get("order")).etag
            try await state.save("order", bytes: json("3"), options: SaveOptions(etag: etag, concurrency: .firstWrite))
            expectValue(try await state.get("order")?.value, json("3"), kind)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func expiresItemsAfterTheirTTL(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            let before = Date()
            try await state.save("reported", bytes: json("1"), options: SaveOptions(ttlInSeconds: 60))
            let after = Date()
            // The TTL starts when the store applies the write, between `before` and `after`.
            let expiresAt = try #require(try await state.get("reported")?.expiresAt)
            #expect(expiresAt > before.addingTimeInterval(59) && expiresAt <= after.addingTimeInterval(61))
            try await state.save("short", bytes: json("1"), options: SaveOptions(ttlInSeconds: 1))
            try await waitUntil("the short-lived key to expire", within: .seconds(5)) { try await state.get("short") == nil }
            #expect(try await state.bulkGet(["short"]).isEmpty)
            if state.store.capabilities.contains(.keys) {
                #expect(try await state.keys(prefix: "short").keys.isEmpty)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func neverExpiresWithMinusOneAndClearsTheTTLOnOverwrite(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            try await state.save("forever", bytes: json("1"), options: SaveOptions(ttlInSeconds: -1))
            #expect(try await state.get("forever")?.expiresAt == nil)
            try await state.save("k", bytes: json("1"), options: SaveOptions(ttlInSeconds: 100))
            #expect(try await state.get("k")?.expiresAt != nil)
            try await state.save("k", bytes: json("2"))
            #expect(try await state.get("k")?.expiresAt == nil)
            await expectCode(.invalidRequest) { try await state.save("k", bytes: json("3"), options: SaveOptions(ttlInSeconds: 0)) }
        }
    }

    /// One TTL rule on every store, in saves and transactions: at most 100 years, so the expiry
    /// is a valid RFC 3339 time (issue: 10^14 s was a 500 on PostgreSQL, 10^12 s reported year
    /// 33715 on Redis). The longest TTL is accepted and reported.
    @Test(arguments: StoreKind.allCases)
    func refusesTTLsPastTheMaximumOnEveryStore(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            for ttl in [100_000_000_000_000, 1_000_000_000_000, StateClient.maximumTTLInSeconds + 1, Int.max, -2] {
                await expectCode(.invalidRequest) { try await state.save("k", bytes: json("1"), options: SaveOptions(ttlInSeconds: ttl)) }
                await expectCode(.invalidRequest) {
                    try await state.transaction([.upsert(key: "k", bytes: json("1"), options: SaveOptions(ttlInSeconds: ttl))])
                }
            }
            #expect(try await state.get("k") == nil)  // nothing was written
            try await state.save("k", bytes: json("1"), options: SaveOptions(ttlInSeconds: StateClient.maximumTTLInSeconds))
            let expiresAt = try #require(try await state.get("k")?.expiresAt)
            #expect(expiresAt.timeIntervalSinceNow > Double(StateClient.maximumTTLInSeconds - 60))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func appliesTransactionOperationsInOrder(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            try await state.save("gone", bytes: json("0"))
            try await state.transaction([
                .upsert(key: "a", bytes: json("1")), .upsert(key: "a", bytes: json("2")), .delete(key: "gone"),
                .upsert(key: "c", bytes: json("3")), .delete(key: "c"), .upsert(key: "c", bytes: json("4")),
            ])
            expectValue(try await state.get("a")?.value, json("2"), kind)
            expectValue(try await state.get("c")?.value, json("4"), kind)
            #expect(try await state.get("gone") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func appliesNothingWhenOneTransactionOperationFails(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            try await state.save("kept", bytes: json("1"))
            let etag = try #require(try await state.get("kept")).etag
            await expectCode(.etagMismatch) {
                try await state.transaction([
                    .upsert(key: "new", bytes: json("1")), .delete(key: "kept", etag: etag),
                    .upsert(key: "other", bytes: json("2"), options: SaveOptions(etag: "424242")),
                ])
            }
            #expect(try await state.get("new") == nil)
            #expect(try await state.get("kept")?.etag == etag)
            #expect(try await state.get("other") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func keepsTheKeysOfTwoAppsApart(_ kind: StoreKind) async throws {
        try await withStateClients(kind, appIDs: ["basket-\(UUID().uuidString.prefix(6))", "order-\(UUID().uuidString.prefix(6))"]) { clients throws in
            let (basket, ordering) = (clients[0], clients[1])
            try await basket.save("alice", bytes: json("\"basket\""))
            try await ordering.save("alice", bytes: json("\"order\""))
            expectValue(try await basket.get("alice")?.value, json("\"basket\""), kind)
            expectValue(try await ordering.get("alice")?.value, json("\"order\""), kind)
            try await basket.delete("alice")
            #expect(try await ordering.get("alice") != nil)
            #expect(try await basket.keys().keys.isEmpty)
            #expect(try await ordering.keys().keys == ["alice"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func acceptsUnicodeAndSlashesInKeysButNotTheSeparator(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            let key = "café/☕/ümlaut 1+2"
            try await state.save(key, bytes: json("1"))
            expectValue(try await state.get(key)?.value, json("1"), kind)
            #expect(try await state.keys().keys == [key])
            await expectCode(.invalidRequest) { try await state.save("a||b", bytes: json("1")) }
            await expectCode(.invalidRequest) { try await state.save("", bytes: json("1")) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func storesAOneMebibyteValue(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            let big = json("\"" + String(repeating: "x", count: 1 << 20) + "\"")
            try await state.save("big", bytes: big)
            expectValue(try await state.get("big")?.value, big, kind)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func listsKeysInPagesSeeingEachOnce(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            let all = (0..<35).map { "item-\($0)" }
            for key in all { try await state.save(key, bytes: json("1")) }
            try await state.save("other", bytes: json("1"))
            var seen: [String] = []
            var token: String?
            repeat {
                let page = try await state.keys(prefix: "item-", limit: 10, token: token)
                #expect(page.keys.count <= 10)
                seen += page.keys
                token = page.token
            } while token != nil
            // Every key, none of another prefix. (Redis' SCAN may repeat a key while its table
            // resizes under other tests' writes, so this compares sets.)
            #expect(Set(seen) == Set(all))
        }
    }

    /// Issue 12, class 3: Swift's `String` calls `"\u{E9}"` (é) and `"e\u{301}"` (e + combining
    /// acute) equal, Redis and PostgreSQL hold them as two keys. Every store keeps them apart, in
    /// single and bulk reads and writes, listings and deletes.
    @Test(arguments: StoreKind.allCases)
    func keepsCanonicallyEquivalentKeysApart(_ kind: StoreKind) async throws {
        let (precomposed, decomposed) = ("caf\u{E9}", "cafe\u{301}")
        #expect(precomposed == decomposed)  // to Swift; never to a store
        try await withStateClient(kind) { state throws in
            try await state.save(precomposed, bytes: json("1"))
            try await state.save(decomposed, bytes: json("2"))
            expectValue(try await state.get(precomposed)?.value, json("1"), kind)
            expectValue(try await state.get(decomposed)?.value, json("2"), kind)

            let found = try await state.bulkGet([precomposed, decomposed])
            #expect(found.count == 2)
            expectValue(found[UTF8Key(precomposed)]?.value, json("1"), kind)
            expectValue(found[UTF8Key(decomposed)]?.value, json("2"), kind)
            let failures = try await state.bulkSave([(precomposed, json("3"), SaveOptions(etag: "999999")), (decomposed, json("4"), SaveOptions())])
            #expect(Set(failures.keys) == [UTF8Key(precomposed)])
            expectValue(try await state.get(decomposed)?.value, json("4"), kind)

            let listed = try await state.keys(prefix: "caf", limit: 10).keys
            #expect(Set(listed.map { UTF8Key($0) }) == [UTF8Key(precomposed), UTF8Key(decomposed)])
            try await state.delete(precomposed)
            #expect(try await state.get(precomposed) == nil)
            expectValue(try await state.get(decomposed)?.value, json("4"), kind)
        }
    }

    /// A key that starts with a combining mark is listed as it was saved (the mark joins the
    /// prefix's `|` in one Swift `Character`), and `||` hidden the same way is still refused.
    @Test(arguments: StoreKind.allCases)
    func keysStartingWithACombiningMarkKeepTheirBytes(_ kind: StoreKind) async throws {
        let key = "\u{301}accent"
        try await withStateClient(kind) { state throws in
            try await state.save(key, bytes: json("1"))
            let listed = try await state.keys(limit: 10).keys
            #expect(listed.map { UTF8Key($0) } == [UTF8Key(key)])
            await expectCode(.invalidRequest) { try await state.save("a||\u{301}b", bytes: json("1")) }
            await expectCode(.invalidRequest) { _ = try await state.get("a||\u{301}") }
        }
    }
}
