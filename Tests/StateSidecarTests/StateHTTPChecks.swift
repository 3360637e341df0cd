import Foundation
import HTTPTypes
import HummingbirdTesting
import StateClient
import Testing
import TestSupport

@testable import StateSidecar

/// The HTTP flows every backend must pass, run by the memory, Redis and PostgreSQL suites.
enum StateHTTPCheck: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case saveGetDelete, etags, firstWrite, ttl, multiItemSave, bulkGet, transactions, listKeys, encodedKeys, query, exactNumbers, ifMatchLists
    case canonicallyEquivalentKeys

    var testDescription: String { rawValue }

    func run(_ sidecar: Sidecar, supportsQuery: Bool) async throws {
        switch self {
        case .saveGetDelete: try await Self.saveGetDelete(sidecar)
        case .etags: try await Self.etags(sidecar)
        case .firstWrite: try await Self.firstWrite(sidecar)
        case .ttl: try await Self.ttl(sidecar)
        case .multiItemSave: try await Self.multiItemSave(sidecar)
        case .bulkGet: try await Self.bulkGet(sidecar)
        case .transactions: try await Self.transactions(sidecar)
        case .listKeys: try await Self.listKeys(sidecar)
        case .encodedKeys: try await Self.encodedKeys(sidecar)
        case .query: try await Self.query(sidecar, supported: supportsQuery)
        case .exactNumbers: try await Self.exactNumbers(sidecar, supportsQuery: supportsQuery)
        case .ifMatchLists: try await Self.ifMatchLists(sidecar)
        case .canonicallyEquivalentKeys: try await Self.canonicallyEquivalentKeys(sidecar, supportsQuery: supportsQuery)
        }
    }

    static func saveGetDelete(_ sidecar: Sidecar) async throws {
        #expect(try await sidecar.save(#"[{"key":"planet","value":{"name":"Tatooine","n":1}}]"#).status == .noContent)
        let found = try await sidecar.get("planet")
        #expect(found.status == .ok)
        #expect(found.headers[.contentType] == "application/json")
        #expect(found.json == json(#"{"name":"Tatooine","n":1}"#))
        #expect(Int(found.headers[.eTag] ?? "") != nil)
        #expect(found.headers[.ttlExpireTime] == nil)
        #expect(try await sidecar.send(.put, "/v1.0/state/statestore", #"[{"key":"word","value":"DeathStar"}]"#).status == .noContent)
        #expect(try await sidecar.get("word").text == #""DeathStar""#)

        let wrong = try await sidecar.send(.delete, "/v1.0/state/statestore/planet", headers: [.ifMatch: "987654321"])
        #expect(wrong.status == .conflict)
        #expect(wrong.errorCode == "ERR_STATE_DELETE")
        #expect(wrong.message?.contains("possible etag mismatch") == true)
        let etag = try await sidecar.etag("planet")
        #expect(try await sidecar.send(.delete, "/v1.0/state/statestore/planet", headers: [.ifMatch: etag]).status == .noContent)
        let missing = try await sidecar.get("planet")
        #expect(missing.status == .noContent)
        #expect(missing.body.readableBytes == 0)
        #expect(missing.headers[.eTag] == nil)
        #expect(try await sidecar.send(.delete, "/v1.0/state/statestore/planet").status == .noContent)
    }

    static func etags(_ sidecar: Sidecar) async throws {
        try await sidecar.save(#"[{"key":"k","value":1}]"#)
        let etag = try await sidecar.etag("k")
        let stale = String((Int(etag) ?? 0) + 1_000)
        let conflict = try await sidecar.save(#"[{"key":"k","value":2,"etag":"\#(stale)"}]"#)
        #expect(conflict.status == .conflict)
        #expect(conflict.errorCode == "ERR_STATE_SAVE")
        #expect(try await sidecar.get("k").text == "1")
        #expect(try await sidecar.save(#"[{"key":"k","value":3,"etag":"\#(etag)"}]"#).status == .noContent)
        #expect(try await sidecar.etag("k") != etag)
        let invalid = try await sidecar.save(#"[{"key":"k","value":4,"etag":"abc"}]"#)
        #expect(invalid.status == .badRequest)
        #expect(invalid.errorCode == "ERR_STATE_SAVE")
        let invalidDelete = try await sidecar.send(.delete, "/v1.0/state/statestore/k", headers: [.ifMatch: "abc"])
        #expect(invalidDelete.status == .badRequest)
        #expect(invalidDelete.errorCode == "ERR_STATE_DELETE")
        let absent = try await sidecar.save(#"[{"key":"absent","value":1,"etag":"1"}]"#)
        #expect(absent.status == .conflict)
        #expect(absent.errorCode == "ERR_STATE_SAVE")
        #expect(try await sidecar.save(#"[{"key":"k","value":5,"etag":""}]"#).status == .noContent)
    }

    static func firstWrite(_ sidecar: Sidecar) async throws {
        let item = #"[{"key":"once","value":1,"options":{"concurrency":"first-write","consistency":"strong"}}]"#
        #expect(try await sidecar.save(item).status == .noContent)
        let second = try await sidecar.save(item)
        #expect(second.status == .conflict)
        #expect(second.errorCode == "ERR_STATE_SAVE")
        #expect(try await sidecar.get("once").text == "1")
    }

    static func ttl(_ sidecar: Sidecar) async throws {
        let before = Date()
        try await sidecar.save(#"[{"key":"t","value":1,"metadata":{"ttlInSeconds":"100"}}]"#)
        let expiry = try #require(try await sidecar.get("t").headers[.ttlExpireTime])
        #expect(expiry.hasSuffix("Z"))
        let date = try Date(expiry, strategy: .iso8601)
        #expect(date > before.addingTimeInterval(90) && date < before.addingTimeInterval(110))
        // URL metadata wins over the body's.
        try await sidecar.save(#"[{"key":"t","value":1,"metadata":{"ttlInSeconds":"100"}}]"#, query: "?metadata.ttlInSeconds=1000")
        let longer = try Date(try #require(try await sidecar.get("t").headers[.ttlExpireTime]), strategy: .iso8601)
        #expect(longer > before.addingTimeInterval(900))
        let bulk = try await sidecar.send(.post, "/v1.0/state/statestore/bulk", #"{"keys":["t"]}"#)
        guard case .array(let bulkItems)? = bulk.json else { throw WrongShape(text: bulk.text) }
        #expect(bulkItems.first?.value(at: "metadata.ttlExpireTime") != nil)
        // An overwrite without a TTL clears it.
        try await sidecar.save(#"[{"key":"t","value":2}]"#)
        #expect(try await sidecar.get("t").headers[.ttlExpireTime] == nil)
    }

    static func multiItemSave(_ sidecar: Sidecar) async throws {
        try await sidecar.save(#"[{"key":"a","value":1},{"key":"b","value":1}]"#)
        let etag = try await sidecar.etag("a")
        let stale = String((Int(etag) ?? 0) + 1_000)
        let response = try await sidecar.save(#"[{"key":"a","value":2,"etag":"\#(stale)"},{"key":"b","value":2}]"#)
        #expect(response.status == .conflict)
        #expect(response.errorCode == "ERR_STATE_SAVE")
        #expect(try await sidecar.get("a").text == "1")  // the bad item is unchanged
        #expect(try await sidecar.get("b").text == "2")  // the good one is written (not atomic, as Dapr)
        #expect(try await sidecar.save("[]").status == .noContent)
    }

    static func bulkGet(_ sidecar: Sidecar) async throws {
        try await sidecar.save(#"[{"key":"x","value":{"v":1}},{"key":"y","value":"text"}]"#)
        let response = try await sidecar.send(.put, "/v1.0/state/statestore/bulk", #"{"keys":["x","missing","y"],"parallelism":2}"#)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "application/json")
        guard case .array(let items)? = response.json else { Issue.record("not an array: \(response.text)"); return }
        #expect(items.count == 3)
        let byKey = Dictionary(uniqueKeysWithValues: items.compactMap { item -> (String, [UTF8Key: JSONValue])? in
            guard case .object(let fields) = item, case .string(let key)? = fields["key"] else { return nil }
            return (key, fields)
        })
        #expect(byKey["x"]?["data"] == json(#"{"v":1}"#))
        #expect(byKey["y"]?["data"] == .string("text"))
        if case .string(let etag)? = byKey["x"]?["etag"] { #expect(Int(etag) != nil) } else { Issue.record("no etag") }
        #expect(byKey["x"]?["metadata"] == nil)
        #expect(byKey["missing"] == ["key": .string("missing")])
        let empty = try await sidecar.send(.post, "/v1.0/state/statestore/bulk", "{}")
        #expect(empty.status == .ok && empty.text == "[]")
    }

    static func transactions(_ sidecar: Sidecar) async throws {
        try await sidecar.save(#"[{"key":"gone","value":0}]"#)
        let body = #"{"operations":[{"operation":"upsert","request":{"key":"t1","value":{"n":1}}},"#
            + #"{"operation":"upsert","request":{"key":"t2","value":2,"metadata":{"ttlInSeconds":"100"}}},"#
            + #"{"operation":"delete","request":{"key":"gone"}}]}"#
        #expect(try await sidecar.send(.post, "/v1.0/state/statestore/transaction", body).status == .noContent)
        #expect(try await sidecar.get("t1").json == json(#"{"n":1}"#))
        #expect(try await sidecar.get("t2").headers[.ttlExpireTime] != nil)
        #expect(try await sidecar.get("gone").status == .noContent)

        let etag = try await sidecar.etag("t1")
        let stale = String((Int(etag) ?? 0) + 1_000)
        let conflicting = #"{"operations":[{"operation":"upsert","request":{"key":"t3","value":3}},"#
            + #"{"operation":"delete","request":{"key":"t1","etag":"\#(stale)"}}]}"#
        let failed = try await sidecar.send(.put, "/v1.0/state/statestore/transaction", conflicting)
        #expect(failed.status == .conflict)  // a conflict, never a 500 (Dapr: 500)
        #expect(failed.errorCode == "ERR_STATE_TRANSACTION")
        #expect(try await sidecar.get("t3").status == .noContent)  // all or nothing
        #expect(try await sidecar.get("t1").status == .ok)

        let unknown = try await sidecar.send(.post, "/v1.0/state/statestore/transaction", #"{"operations":[{"operation":"merge","request":{"key":"t1"}}]}"#)
        #expect(unknown.status == .badRequest)
        #expect(unknown.errorCode == "ERR_NOT_SUPPORTED_STATE_OPERATION")
        #expect(unknown.message == "operation type merge not supported")
        #expect(try await sidecar.send(.post, "/v1.0/state/statestore/transaction", #"{"operations":[]}"#).status == .noContent)
    }

    static func listKeys(_ sidecar: Sidecar) async throws {
        try await sidecar.save(#"[{"key":"p/1","value":1},{"key":"p/2","value":2},{"key":"q","value":3}]"#)
        let all = try await sidecar.send(.get, "/v1.0-alpha1/state/statestore/keys?prefix=p%2F")
        #expect(all.status == .ok)
        #expect(keys(all).sorted() == ["p/1", "p/2"])
        let first = try await sidecar.send(.get, "/v1.0-alpha1/state/statestore/keys?prefix=p/&limit=1")
        #expect(keys(first).count == 1)
        guard case .object(let fields)? = first.json, case .string(let token)? = fields["token"] else {
            Issue.record("no token: \(first.text)")
            return
        }
        let second = try await sidecar.send(.get, "/v1.0-alpha1/state/statestore/keys?prefix=p/&limit=1&token=\(token)")
        #expect(Set(keys(first) + keys(second)) == ["p/1", "p/2"])
        let everything = try await sidecar.send(.get, "/v1.0-alpha1/state/statestore/keys")
        #expect(Set(keys(everything)) == ["p/1", "p/2", "q"])
        guard case .object(let page)? = everything.json else { throw WrongShape(text: everything.text) }
        #expect(page["token"] == nil)
    }

    private static func keys(_ response: TestResponse) -> [String] {
        guard case .object(let fields)? = response.json, case .array(let keys)? = fields["keys"] else { return [] }
        return keys.compactMap { if case .string(let key) = $0 { key } else { nil } }
    }

    static func encodedKeys(_ sidecar: Sidecar) async throws {
        try await sidecar.save(#"[{"key":"a/b","value":1},{"key":"c+d","value":2},{"key":"c d","value":3},{"key":"ü x","value":4}]"#)
        #expect(try await sidecar.get("a%2Fb").text == "1")
        #expect(try await sidecar.get("a%2fb").text == "1")
        #expect(try await sidecar.get("c+d").text == "2")  // `+` stays `+`
        #expect(try await sidecar.get("c%2Bd").text == "2")
        #expect(try await sidecar.get("c%20d").text == "3")
        #expect(try await sidecar.get("%C3%BC%20x").text == "4")
        #expect(try await sidecar.get("a/b").status == .notFound)  // a raw `/` does not match the route (as Dapr)
        #expect(try await sidecar.send(.delete, "/v1.0/state/statestore/a%2Fb").status == .noContent)
        #expect(try await sidecar.get("a%2Fb").status == .noContent)
        let bad = try await sidecar.get("a%zz")
        #expect(bad.status == .badRequest)
        #expect(bad.errorCode == "ERR_MALFORMED_REQUEST")
    }

    static func query(_ sidecar: Sidecar, supported: Bool) async throws {
        let uri = "/v1.0-alpha1/state/statestore/query"
        guard supported else {
            let response = try await sidecar.send(.post, uri, #"{"filter":{}}"#)
            #expect(response.status == .badRequest)  // the client's request, not a server error (Dapr: 500)
            #expect(response.errorCode == "ERR_STATE_STORE_NOT_SUPPORTED")
            #expect(response.reason == "DAPR_STATE_QUERYING_NOT_SUPPORTED")
            return
        }
        try await sidecar.save(#"[{"key":"o1","value":{"n":1}},{"key":"o2","value":{"n":9}},{"key":"o3","value":{"n":10}}]"#)
        let found = try await sidecar.send(.post, uri, #"{"filter":{"GT":{"n":1}},"sort":[{"key":"n","order":"DESC"}]}"#)
        #expect(found.status == .ok)
        guard case .object(let body)? = found.json, case .array(let results)? = body["results"] else {
            Issue.record("no results: \(found.text)")
            return
        }
        #expect(results.map { $0.value(at: "key") } == [.string("o3"), .string("o2")])
        #expect(results.first?.value(at: "data") == json(#"{"n":10}"#))
        #expect(results.allSatisfy { $0.value(at: "etag") != nil })
        let page = try await sidecar.send(.put, uri, #"{"sort":[{"key":"n"}],"page":{"limit":1}}"#)
        #expect(page.json?.value(at: "token") == .string("1"))
        #expect(try await sidecar.send(.post, uri, #"{"filter":{"EQ":{"n":42}}}"#).status == .noContent)
        for body in [#"{"filter":{"LIKE":{"n":1}}}"#, #"{"filter":{"EQ":{"n":1},}}"#, "not json", #"{"page":{"limit":-1}}"#] {
            let invalid = try await sidecar.send(.post, uri, body)
            #expect(invalid.status == .badRequest)
            #expect(invalid.errorCode == "ERR_STATE_QUERY")
        }
    }
}

extension StateHTTPCheck {
    /// Every RFC 8259 number is kept exactly (issue 12, class 1: `1e300` was refused and a 43-digit
    /// integer came back with zeros), in saves and transactions, and compared exactly by queries.
    static func exactNumbers(_ sidecar: Sidecar, supportsQuery: Bool) async throws {
        let numbers = [
            "huge": "1e300", "long": "1234567890123456789012345678901234567890123",
            "longer": "1234567890123456789012345678901234567890124", "tiny": "-4.2E-400", "precise": "0.1000000000000000000000000000000000000000001",
        ]
        let items = numbers.map { key, number in #"{"key":"\#(key)","value":{"n":\#(number)}}"# }
        #expect(try await sidecar.save("[" + items.joined(separator: ",") + "]").status == .noContent)
        let transaction = #"{"operations":[{"operation":"upsert","request":{"key":"t","value":{"n":-1E+300}}}]}"#
        #expect(try await sidecar.send(.post, "/v1.0/state/statestore/transaction", transaction).status == .noContent)
        for (key, number) in numbers.merging(["t": "-1E+300"], uniquingKeysWith: { $1 }) {
            // Equal as numbers: PostgreSQL's jsonb writes 1e300 back as its 301 digits.
            let answer = try await sidecar.get(key)
            #expect(answer.json == json(#"{"n":\#(number)}"#), "\(key): \(answer.text.prefix(80))")
        }
        guard supportsQuery else { return }
        let uri = "/v1.0-alpha1/state/statestore/query"
        func keys(_ filter: String) async throws -> [JSONValue?] {
            let found = try await sidecar.send(.post, uri, #"{"filter":\#(filter),"sort":[{"key":"n"}]}"#)
            guard case .array(let results)? = found.json?.value(at: "results") else { return [] }
            return results.map { $0.value(at: "key") }
        }
        #expect(try await keys(#"{"EQ":{"n":1234567890123456789012345678901234567890123}}"#) == [.string("long")])
        #expect(try await keys(#"{"GT":{"n":1234567890123456789012345678901234567890123}}"#) == [.string("longer"), .string("huge")])
        #expect(try await keys(#"{"LT":{"n":0}}"#) == [.string("t"), .string("tiny")])
        #expect(try await keys(#"{"GT":{"n":0.1}}"#).first == .string("precise"))
    }
}

extension StateHTTPCheck {
    /// `If-Match` on delete as RFC 9110 §13.1.1 reads it (issue 12, class 9): a list matches when
    /// any member does, `*` when the key exists, a weak tag never; Dapr's bare `5` still works.
    static func ifMatchLists(_ sidecar: Sidecar) async throws {
        func delete(_ key: String, ifMatch: String) async throws -> TestResponse {
            try await sidecar.send(.delete, "/v1.0/state/statestore/\(key)", headers: [.ifMatch: ifMatch])
        }
        for key in ["list", "star", "quoted", "bare", "weak"] { try await sidecar.save(#"[{"key":"\#(key)","value":1}]"#) }
        let stale = String((Int(try await sidecar.etag("list")) ?? 0) + 1_000)
        for (key, ifMatch) in [("list", #""x", "\#(stale)""#), ("weak", #"W/"\#(try await sidecar.etag("weak"))""#)] {
            let refused = try await delete(key, ifMatch: ifMatch)
            #expect(refused.status == .conflict, "\(ifMatch)")
            #expect(refused.errorCode == "ERR_STATE_DELETE")
            #expect(try await sidecar.get(key).status == .ok, "\(key) was deleted by \(ifMatch)")
        }
        #expect(try await delete("star", ifMatch: "*").status == .noContent)
        #expect(try await delete("star", ifMatch: "*").status == .conflict)  // no longer exists
        #expect(try await delete("list", ifMatch: #""x", "\#(try await sidecar.etag("list"))""#).status == .noContent)
        #expect(try await delete("quoted", ifMatch: #""\#(try await sidecar.etag("quoted"))""#).status == .noContent)
        #expect(try await delete("bare", ifMatch: try await sidecar.etag("bare")).status == .noContent)
        for key in ["list", "quoted", "bare", "star"] { #expect(try await sidecar.get(key).status == .noContent, "\(key) still there") }
    }
}

extension StateHTTPCheck {
    /// Issue 12, class 3: `"caf\u{E9}"` and `"cafe\u{301}"` are equal Swift `String`s and two keys
    /// to every store; through the sidecar they stay two keys, and two members of a JSON value.
    static func canonicallyEquivalentKeys(_ sidecar: Sidecar, supportsQuery: Bool) async throws {
        #expect(try await sidecar.save(#"[{"key":"caf\u00e9","value":1},{"key":"cafe\u0301","value":2}]"#).status == .noContent)
        #expect(try await sidecar.get("caf%C3%A9").text == "1")
        #expect(try await sidecar.get("cafe%CC%81").text == "2")
        let bulk = try await sidecar.send(.post, "/v1.0/state/statestore/bulk", #"{"keys":["caf\u00e9","cafe\u0301"]}"#)
        guard case .array(let items)? = bulk.json, items.count == 2 else { throw WrongShape(text: bulk.text) }
        #expect(items.map { $0.value(at: "data") } == [.number(1), .number(2)], "\(bulk.text)")
        let listed = try await sidecar.send(.get, "/v1.0-alpha1/state/statestore/keys?prefix=caf")
        #expect(Set(keys(listed).map { UTF8Key($0) }) == [UTF8Key("caf\u{E9}"), UTF8Key("cafe\u{301}")], "\(listed.text)")
        #expect(try await sidecar.send(.delete, "/v1.0/state/statestore/caf%C3%A9").status == .noContent)
        #expect(try await sidecar.get("cafe%CC%81").text == "2")

        // `||` with a combining mark after it is still the separator, in bytes.
        let hidden = try await sidecar.save(#"[{"key":"a||\u0301","value":1}]"#)
        #expect(hidden.status == .badRequest)
        #expect(hidden.errorCode == "ERR_MALFORMED_REQUEST")
        #expect(try await sidecar.get("a%7C%7C%CC%81").reason == "DAPR_STATE_ILLEGAL_KEY")

        guard supportsQuery else { return }
        try await sidecar.save(#"[{"key":"doc","value":{"\u00e9":1,"e\u0301":2}}]"#)
        let uri = "/v1.0-alpha1/state/statestore/query"
        let decomposed = try await sidecar.send(.post, uri, #"{"filter":{"EQ":{"e\u0301":2}}}"#)
        #expect(decomposed.status == .ok, "\(decomposed.text)")
        guard case .array(let results)? = decomposed.json?.value(at: "results") else { throw WrongShape(text: decomposed.text) }
        #expect(results.map { $0.value(at: "key") } == [.string("doc")])
        #expect(try await sidecar.send(.post, uri, #"{"filter":{"EQ":{"\u00e9":2}}}"#).status == .noContent)
    }
}

/// The flows over the in-memory store.
@Suite(.timeLimit(.minutes(1))) struct MemorySidecarTests {
    @Test(arguments: StateHTTPCheck.allCases)
    func passes(_ check: StateHTTPCheck) async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in try await check.run(sidecar, supportsQuery: true) }
    }
}

/// The flows over a Redis component (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD).
@Suite(.redisReachable, .timeLimit(.minutes(1))) struct RedisSidecarTests {
    @Test(arguments: StateHTTPCheck.allCases)
    func passes(_ check: StateHTTPCheck) async throws {
        try await withSidecar(component: TestServers.redisComponent) { (sidecar: Sidecar) async throws in try await check.run(sidecar, supportsQuery: false) }
    }
}

/// The flows over a PostgreSQL component (POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DATABASE).
@Suite(.postgresReachable, .timeLimit(.minutes(1))) struct PostgresSidecarTests {
    @Test(arguments: StateHTTPCheck.allCases)
    func passes(_ check: StateHTTPCheck) async throws {
        let table = "state_sidecar_\(UUID().uuidString.prefix(8).lowercased())"
        try await withSidecar(component: TestServers.postgresComponent(table: table), table: table) { (sidecar: Sidecar) async throws in
            try await check.run(sidecar, supportsQuery: true)
        }
    }
}

/// An answer that is not the JSON shape a check expects.
struct WrongShape: Error, CustomStringConvertible {
    var text: String
    var description: String { "unexpected JSON: \(text)" }
}
