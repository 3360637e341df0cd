import ServiceDefaults
import Testing

/// `If-Match` / `If-None-Match` as RFC 9110 §13.1.1–2 and §8.8.3.2 define them.
@Suite struct EntityTagConditionTests {
    @Test func parsesStarAndListsWithWeakTagsAndCommasInsideQuotes() {
        #expect(EntityTagCondition(nil) == nil)
        #expect(EntityTagCondition("  ") == nil)
        #expect(EntityTagCondition(" * ") == .any)
        #expect(EntityTagCondition(#""a", W/"b",  "c,d""#) == .tags([.init("a"), .init("b", isWeak: true), .init("c,d")]))
        #expect(EntityTagCondition("unquoted") == .tags([.init("unquoted")]))
    }

    @Test func ifMatchComparesStronglyAndMatchesAnyMember() {
        let condition = EntityTagCondition(#""x", "v2""#)
        #expect(condition?.ifMatch(current: "v2") == true)
        #expect(condition?.ifMatch(current: "v3") == false)
        #expect(EntityTagCondition(#"W/"v2""#)?.ifMatch(current: "v2") == false)
        #expect(EntityTagCondition("*")?.ifMatch(current: "anything") == true)
        #expect(EntityTagCondition("*")?.ifMatch(current: nil) == false)
    }

    @Test func ifNoneMatchComparesWeakly() {
        #expect(EntityTagCondition(#"W/"v2""#)?.ifNoneMatchNames(current: "v2") == true)
        #expect(EntityTagCondition(#""a", "b""#)?.ifNoneMatchNames(current: "c") == false)
        #expect(EntityTagCondition("*")?.ifNoneMatchNames(current: "c") == true)
    }
}
