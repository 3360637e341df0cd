import Foundation
import PostgresNIO
import StateClient
import StateStores
import Testing
import TestSupport

/// The query API and key listing of `PostgresStateStore`, checked against `MemoryStateStore` (the
/// reference semantics) on the same data: same items, same order, same page tokens.
@Suite(.postgresReachable, .timeLimit(.minutes(1))) struct PostgresStateStoreQueryTests {
    private static let prefix = "app||"

    /// Items of every JSON type at `n`, strings that sort differently by code point and by
    /// locale, ties, missing fields, nested paths, and items the query must never see.
    private static let items: [(key: String, value: String)] = [
        ("n-9", #"{"n": 9, "s": "b", "t": true}"#),
        ("n-10", #"{"n": 10, "s": "B", "t": false}"#),
        ("n-100", #"{"n": 1e2, "s": "a"}"#),
        ("n-0.3", #"{"n": 0.3, "s": "é"}"#),
        ("n-0.30", #"{"n": 0.30, "s": "Ü"}"#),
        ("n-0.30000000000000004", #"{"n": 0.30000000000000004, "s": "🚀"}"#),
        ("n--1", #"{"n": -1, "s": "a b"}"#),
        ("n-1", #"{"n": 1, "s": "ab"}"#),
        ("n-1.0", #"{"n": 1.0, "s": "a_b"}"#),
        ("n-big", #"{"n": 9007199254740993, "s": "Z"}"#),
        ("s-9", #"{"n": "9", "s": 9}"#),
        ("s-10", #"{"n": "10", "s": null}"#),
        ("s-A", #"{"n": "A"}"#),
        ("s-a", #"{"n": "a"}"#),
        ("s-empty", #"{"n": ""}"#),
        ("s-emoji", #"{"n": "🚀"}"#),
        ("s-umlaut", #"{"n": "Ü"}"#),
        ("null", #"{"n": null, "s": "c"}"#),
        ("true", #"{"n": true}"#),
        ("false", #"{"n": false}"#),
        ("array", #"{"n": [1, 2], "a": [7]}"#),
        ("array-2", #"{"n": [0], "a": [{"b": {"c": 1}}]}"#),
        ("object", #"{"n": {"a": 1}, "a": {"b": {"c": 2}}}"#),
        ("object-2", #"{"n": {}, "a": {"b": {"c": "x"}}}"#),
        ("missing", #"{"m": 1, "a": {"b": 5}}"#),
        ("scalar", "5"),
        ("root-array", "[1, 2, 3]"),
        ("empty-field", #"{"": {"x": 2}, "n": 3}"#),
        ("dotted", #"{"a.b": 1, "n": 4}"#),
    ]

    /// Runs `body` with a PostgreSQL store and a memory store holding the same items, plus
    /// another app's items and a binary value in both.
    private func withBothStores(_ body: @Sendable (PostgresStateStore, MemoryStateStore) async throws -> Void) async throws {
        try await withPostgresStateStore { postgres, _ in
            let memory = MemoryStateStore()
            var requests = Self.items.map { SetRequest(key: Self.prefix + $0.key, value: Array($0.value.utf8)) }
            requests.append(SetRequest(key: Self.prefix + "binary", value: [0xFF, 0xFE]))
            requests.append(SetRequest(key: "other||n-5", value: Array(#"{"n": 5}"#.utf8)))
            requests.append(SetRequest(key: "app|x", value: Array(#"{"n": 6}"#.utf8)))
            for request in requests {
                try await postgres.set(request)
                try await memory.set(request)
            }
            try await body(postgres, memory)
        }
    }

    /// Pages through `query` on both stores and expects the same keys, values and tokens.
    private func expectSameResults(
        _ query: StateQuery, _ postgres: PostgresStateStore, _ memory: MemoryStateStore, prefix: String = prefix,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        var query = query
        for _ in 0..<100 {
            let expected = try await memory.query(query, keyPrefix: prefix)
            let actual = try await postgres.query(query, keyPrefix: prefix)
            #expect(actual.items.map(\.key) == expected.items.map(\.key), "\(query)", sourceLocation: sourceLocation)
            #expect(actual.token == expected.token, "\(query)", sourceLocation: sourceLocation)
            #expect(
                actual.items.map { JSONValue(json: $0.value) } == expected.items.map { JSONValue(json: $0.value) }, "\(query)",
                sourceLocation: sourceLocation)
            // A zero limit never advances (the token stays the offset): one page says it all.
            guard let token = expected.token, actual.token == token, query.limit != 0 else { return }
            query.token = token
        }
        Issue.record("more than 100 pages", sourceLocation: sourceLocation)
    }

    private func keys(_ postgres: PostgresStateStore, _ query: StateQuery) async throws -> [String] {
        try await postgres.query(query, keyPrefix: Self.prefix).items.map { String($0.key.dropFirst(Self.prefix.count)) }
    }

    @Test func comparesNumbersNumericallyAndStringsByCodePoint() async throws {
        try await withBothStores { postgres, memory in
            #expect(Set(try await keys(postgres, StateQuery(filter: .gt("n", .number(9))))) == ["n-10", "n-100", "n-big"])
            #expect(Set(try await keys(postgres, StateQuery(filter: .lt("n", .number(10))))).isSuperset(of: ["n-9", "n--1", "n-0.3"]))
            #expect(!(try await keys(postgres, StateQuery(filter: .lt("n", .number(10))))).contains("s-9"))
            #expect(Set(try await keys(postgres, StateQuery(filter: .eq("n", .number(JSONNumber("0.3")!))))) == ["n-0.3", "n-0.30"])
            #expect(
                Set(try await keys(postgres, StateQuery(filter: .lte("n", .number(JSONNumber("0.3")!)))))
                    == ["n-0.3", "n-0.30", "n--1"])
            #expect(
                try await keys(postgres, StateQuery(filter: .gt("n", .number(JSONNumber("0.3")!)), sort: [QuerySort("n")], limit: 1))
                    == ["n-0.30000000000000004"])
            #expect(Set(try await keys(postgres, StateQuery(filter: .eq("n", .number(1))))) == ["n-1", "n-1.0"])
            #expect(
                try await keys(postgres, StateQuery(filter: .eq("n", .number(JSONNumber("9007199254740993")!)))) == ["n-big"])
            #expect(Set(try await keys(postgres, StateQuery(filter: .gt("n", .string("9"))))) == ["s-A", "s-a", "s-emoji", "s-umlaut"])
            #expect(Set(try await keys(postgres, StateQuery(filter: .lt("n", .string("A"))))) == ["s-9", "s-10", "s-empty"])

            let queries: [QueryFilter] = [
                .gt("n", .number(9)), .gte("n", .number(9)), .lt("n", .number(10)), .lte("n", .number(-1)),
                .gt("n", .number(JSONNumber("0.3")!)), .gte("s", .string("B")), .lt("s", .string("a_b")), .lte("n", .string("")),
                .gt("n", .bool(false)), .lt("n", .null), .gt("n", .array([])), .eq("n", .null), .eq("n", .bool(true)),
                .eq("n", .string("9")), .neq("n", .number(1)), .neq("s", .string("a")), .eq("n", .object(["a": .number(1)])),
                .eq("n", .array([.number(0)])), .in("n", [.number(9), .string("9"), .null, .bool(false)]), .in("n", []),
                .eq("a.b.c", .number(2)), .eq("a.0", .number(7)), .gt("a.b", .number(1)), .eq(".x", .number(2)), .eq("a.b", .number(1)),
                .eq("", .number(5)), .and([]), .or([]), .and([.gt("n", .number(0)), .lt("n", .number(10))]),
                .or([.eq("n", .number(9)), .eq("s", .string("Z")), .and([.eq("n", .string("A")), .neq("n", .null)])]),
            ]
            for filter in queries {
                try await expectSameResults(StateQuery(filter: filter), postgres, memory)
                try await expectSameResults(StateQuery(filter: filter, sort: [QuerySort("n")], limit: 4), postgres, memory)
            }
        }
    }

    @Test func sortsAndPagesExactlyAsTheMemoryStore() async throws {
        try await withBothStores { postgres, memory in
            let sorts: [[QuerySort]] = [
                [], [QuerySort("n")], [QuerySort("n", descending: true)], [QuerySort("s"), QuerySort("n", descending: true)],
                [QuerySort("s", descending: true), QuerySort("n")], [QuerySort("a.b.c")], [QuerySort("a.b.c", descending: true)],
                [QuerySort("t"), QuerySort("a.0")], [QuerySort("missing.field")], [QuerySort("n"), QuerySort("n", descending: true)],
            ]
            for sort in sorts {
                try await expectSameResults(StateQuery(sort: sort), postgres, memory)
                for limit in [0, 1, 3, 7, 100] {
                    try await expectSameResults(StateQuery(sort: sort, limit: limit), postgres, memory)
                    try await expectSameResults(StateQuery(sort: sort, limit: limit, token: "5"), postgres, memory)
                }
                try await expectSameResults(StateQuery(sort: sort, token: "3"), postgres, memory)
                try await expectSameResults(StateQuery(sort: sort, limit: 5, token: "1000"), postgres, memory)
            }
            // The order the reference defines, spelled out once.
            let ascending = try await keys(postgres, StateQuery(filter: .neq("n", .number(1000)), sort: [QuerySort("n")]))
            #expect(
                ascending == [
                    "null", "s-empty", "s-10", "s-9", "s-A", "s-a", "s-umlaut", "s-emoji", "n--1", "n-0.3", "n-0.30",
                    "n-0.30000000000000004", "n-1", "n-1.0", "empty-field", "dotted", "n-9", "n-10", "n-100", "n-big", "false", "true",
                    "array", "array-2", "object", "object-2",
                ])
        }
    }

    @Test func rejectsBadPageTokens() async throws {
        try await withBothStores { postgres, _ in
            for token in ["x", "-1", "1.5"] {
                await #expect { try await postgres.query(StateQuery(limit: 1, token: token), keyPrefix: Self.prefix) } throws: {
                    ($0 as? StateError)?.code == .invalidRequest
                }
            }
            await #expect { try await postgres.query(StateQuery(filter: .eq("n", .string("a\u{0}b"))), keyPrefix: Self.prefix) } throws: {
                ($0 as? StateError)?.code == .invalidRequest
            }
        }
    }

    @Test func neverReturnsAnotherAppsItems() async throws {
        try await withPostgresStateStore { postgres, _ in
            let memory = MemoryStateStore()
            // `_` and `%` are LIKE wildcards and `\` its escape: they must match only themselves.
            let keys = ["a_b||1", "axb||2", "a%b||3", "a%b||4", "azzzb||5", "a\\b||6", "a\\\\b||7", "a_b|x", "A_B||8", "a_b||"]
            for key in keys {
                let request = SetRequest(key: key, value: Array(#"{"n": 1}"#.utf8))
                try await postgres.set(request)
                try await memory.set(request)
            }
            for prefix in ["a_b||", "a%b||", "a\\b||", "a\\\\b||", "axb||", "", "a"] {
                let found = try await postgres.query(StateQuery(sort: [QuerySort("n")]), keyPrefix: prefix).items.map(\.key)
                #expect(found == keys.filter { $0.hasPrefix(prefix) }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "\(prefix)")
                try await expectSameResults(StateQuery(filter: .eq("n", .number(1)), limit: 2), postgres, memory, prefix: prefix)
                let page = try await postgres.keys(prefix: prefix, limit: 100, token: nil)
                #expect(page.keys == found, "\(prefix)")
            }
        }
    }

    @Test func listsKeysInByteOrderWithTheMemoryStoresTokens() async throws {
        try await withPostgresStateStore { postgres, _ in
            let memory = MemoryStateStore()
            let keys = [
                "k||b", "k||B", "k||a", "k||A", "k||é", "k||e", "k||Z", "k||z", "k||🚀", "k||10", "k||9", "k||_", "k||%", "k|| ", "k||a b",
                "k||ab", "k||aB", "other||a", "k|", "k||ü", "k||u",
            ]
            for key in keys {
                let request = SetRequest(key: key, value: [0x01])  // binary values are listed too
                try await postgres.set(request)
                try await memory.set(request)
            }
            // An expired key is never listed (the memory store does not have it at all).
            try await postgres.set(SetRequest(key: "k||expired", value: [1], ttlInSeconds: 1))
            try await Task.sleep(for: .milliseconds(1_100))
            for limit in [0, 1, 2, 5, 19, 20, 100] {
                var token: String?
                var pages = 0
                repeat {
                    let expected = try await memory.keys(prefix: "k||", limit: limit, token: token)
                    let actual = try await postgres.keys(prefix: "k||", limit: limit, token: token)
                    #expect(actual == expected, "limit \(limit) after \(token ?? "start")")
                    token = expected.token
                    pages += 1
                } while token != nil && pages < 100
            }
            #expect(try await postgres.keys(prefix: "k||", limit: 3, token: "k||🚀") == StateKeysPage(keys: [], token: nil))
        }
    }
}
