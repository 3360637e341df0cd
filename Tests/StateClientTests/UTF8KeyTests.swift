import StateClient
import Testing

/// Issue 12, class 3: keys and JSON member names compared by their bytes, as Redis and PostgreSQL
/// compare them, not by Swift's canonical equivalence.
@Suite struct UTF8KeyTests {
    static let precomposed = "caf\u{E9}"  // é as one code point
    static let decomposed = "cafe\u{301}"  // e + combining acute accent

    @Test func canonicallyEquivalentStringsAreTwoKeys() {
        #expect(Self.precomposed == Self.decomposed)  // Swift's String: one key of a [String: …]
        #expect(UTF8Key(Self.precomposed) != UTF8Key(Self.decomposed))
        let dictionary = [UTF8Key(Self.precomposed): 1, UTF8Key(Self.decomposed): 2]
        #expect(dictionary.count == 2)
        #expect(dictionary[UTF8Key(Self.decomposed)] == 2)
        #expect(Set([Self.precomposed, Self.decomposed].map { UTF8Key($0) }).count == 2)
    }

    @Test func sortsInByteOrder() {
        // U+00E9 is C3 A9 in UTF-8, "e" is 65: the decomposed key sorts first, as in Redis and in
        // PostgreSQL's COLLATE "C".
        #expect([UTF8Key(Self.precomposed), UTF8Key(Self.decomposed), "cafa"].sorted() == ["cafa", UTF8Key(Self.decomposed), UTF8Key(Self.precomposed)])
        #expect(UTF8Key("a") < UTF8Key("ab"))
    }

    @Test func prefixesAndSeparatorsAreFoundInBytes() {
        #expect(Self.decomposed.hasBytePrefix("cafe"))
        #expect(!Self.precomposed.hasBytePrefix("cafe"))
        #expect("a||\u{301}b".containsBytes("||"))
        #expect("x||".containsBytes("||") && !"x|".containsBytes("||") && !"".containsBytes("||"))
    }

    @Test func jsonMembersWithCanonicallyEquivalentNamesAreTwoMembers() throws {
        let value = try #require(JSONValue(json: Array(#"{"caf\u00e9":1,"cafe\u0301":2}"#.utf8)))
        guard case .object(let members) = value else { Issue.record("not an object: \(value)"); return }
        #expect(members.count == 2)
        #expect(value.value(at: Self.precomposed) == .number(1))
        #expect(value.value(at: Self.decomposed) == .number(2))
        #expect(value.jsonText == "{\"cafe\u{301}\":2,\"caf\u{E9}\":1}")
        let other = try #require(JSONValue(json: Array(#"{"caf\u00e9":2,"cafe\u0301":1}"#.utf8)))
        #expect(!value.isEqual(to: other))
    }
}
