import Foundation
import StateClient
import Testing

/// The shared JSON helpers: the strict validator, the slicer and base64url.
@Suite struct JSONHelpersTests {
    @Test(arguments: [
        "42", "-0.5e-3", "\"text\"", "true", "null", "[]", "{}", #"{"a":[1,{"b":"c"}]}"#, #""\u00e9\ud83e\uddfa""#, " [ 1 , 2 ] ",
        #""\u0000""#,
    ])
    func acceptsJSON(_ text: String) {
        #expect(StrictJSON.isValid(Array(text.utf8)))
    }

    @Test(arguments: [
        "", "[1,]", #"{"a":1,}"#, "NaN", "01", "1.", "'a'", "[1] [2]", #""\ud800""#, "// c\n1", "{a:1}", "\"tab\there\"",
    ])
    func rejectsWhatIsNotStrictJSON(_ text: String) {
        #expect(!StrictJSON.isValid(Array(text.utf8)))
    }

    @Test func postgresProfileAddsJSONBLimits() {
        #expect(!StrictJSON.isValid(Array(#""\u0000""#.utf8), .postgresJSONB))
        #expect(!StrictJSON.isValid(Array("1e6000".utf8), .postgresJSONB))
        #expect(StrictJSON.isValid(Array("1e6000".utf8)))
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(!StrictJSON.isValid(Array(deep.utf8)))
    }

    @Test func slicesKeepEachPartsBytes() throws {
        let text = Array(#"{"key":"k","data":{"b": 1,"a":[2]},"etag":"1"}"#.utf8)[...]
        let members = try JSONSlices.members(text)
        #expect(members.map(\.name) == ["key", "data", "etag"])
        #expect(String(decoding: members[1].value, as: UTF8.self) == #"{"b": 1,"a":[2]}"#)
        #expect(try JSONSlices.string(members[0].value) == "k")
        #expect(try JSONSlices.elements(Array("[1, \"a\" ,{}]".utf8)[...]).map { String(decoding: $0, as: UTF8.self) } == ["1", "\"a\"", "{}"])
    }

    @Test func base64URLRoundTripsWithoutPadding() {
        for bytes in [[], [0xfb], [0xfb, 0xff], [0xfb, 0xff, 0xfe], Array("app||key/with+signs".utf8)] as [[UInt8]] {
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == bytes)
        }
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8=") == [0xfb, 0xff])
        #expect(Base64URL.decode("+/8") == nil)
        #expect(Base64URL.decode("not base64!") == nil)
    }
}
