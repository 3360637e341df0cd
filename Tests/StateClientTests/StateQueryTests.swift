import Foundation
import StateClient
import Testing

@Suite struct StateQueryTests {
    private func parse(_ text: String) throws -> StateQuery { try StateQuery(json: Array(text.utf8)) }

    @Test func parsesDaprsQueryFormat() throws {
        let query = try parse("""
            {"filter": {"AND": [{"EQ": {"person.org": "Dev Ops"}}, {"OR": [{"IN": {"state": ["CA", "WA"]}}, {"GT": {"age": 30}}]}]},
             "sort": [{"key": "state", "order": "DESC"}, {"key": "person.id"}],
             "page": {"limit": 3, "token": "6"}}
            """)
        #expect(query.filter == .and([.eq("person.org", .string("Dev Ops")), .or([.in("state", [.string("CA"), .string("WA")]), .gt("age", .number(30))])]))
        #expect(query.sort == [QuerySort("state", descending: true), QuerySort("person.id")])
        #expect(query.limit == 3)
        #expect(try query.offset() == 6)
    }

    @Test func acceptsAnEmptyQueryAsEverything() throws {
        #expect(try parse("{}") == StateQuery())
        #expect(try parse(#"{"filter": {}}"#) == StateQuery())
    }

    @Test(arguments: [
        ("[]", "the query must be a JSON object"),
        ("{", "the query is not valid JSON"),
        (#"{"filter": {"EQ": {"a": 1}, "NEQ": {"b": 2}}}"#, "a filter must have exactly one operator, found [\"EQ\", \"NEQ\"]"),
        (#"{"filter": {"LIKE": {"a": "x"}}}"#, "unknown filter operator 'LIKE'"),
        (#"{"filter": {"AND": [{"EQ": {"a": 1}}]}}"#, "AND needs an array of at least two filters"),
        (#"{"filter": {"IN": {"a": []}}}"#, "IN needs a non-empty array of scalar values"),
        (#"{"filter": {"EQ": {"a": {"b": 1}}}}"#, "EQ compares with a string, number, boolean or null"),
        (#"{"sort": [{"key": "a", "order": "UP"}]}"#, "sort order of 'a' must be ASC or DESC"),
        (#"{"page": {"limit": -1}}"#, "page.limit must be a whole number ≥ 0"),
        (#"{"page": {"token": "x"}}"#, "invalid page token 'x'"),
    ])
    func rejectsMalformedQueriesSayingWhy(text: String, message: String) {
        #expect(throws: StateError(.invalidRequest, message)) { try parse(text) }
    }

    @Test func comparesNumbersNumericallyAndStringsByCodePoint() {
        let document = JSONValue(json: Array(#"{"n": 9, "s": "Zebra", "f": 0.1}"#.utf8))!
        #expect(QueryFilter.lt("n", .number(10)).matches(document))
        #expect(QueryFilter.eq("f", .number(JSONNumber("0.10")!)).matches(document))
        #expect(QueryFilter.lt("s", .string("apple")).matches(document))
        #expect(!QueryFilter.gt("s", .number(1)).matches(document))
        #expect(!QueryFilter.neq("missing", .number(1)).matches(document))
    }

    /// `EQ` compares strings by code points as PostgreSQL's `jsonb` does: "é" (U+00E9) and
    /// "e" + U+0301 are equal to Swift's `==` but are different values in the store.
    @Test func equalityOfStringsIsByCodePointNotCanonicalEquivalence() {
        let document = JSONValue(json: Array("{\"s\": \"caf\u{E9}\", \"a\": [\"caf\u{E9}\"]}".utf8))!
        #expect(QueryFilter.eq("s", .string("caf\u{E9}")).matches(document))
        #expect(!QueryFilter.eq("s", .string("cafe\u{301}")).matches(document))
        #expect(QueryFilter.neq("s", .string("cafe\u{301}")).matches(document))
        #expect(!JSONValue.array([.string("cafe\u{301}")]).isEqual(to: .array([.string("caf\u{E9}")])))
    }
}
