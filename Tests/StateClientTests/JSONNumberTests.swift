import Foundation
import StateClient
import Testing

@Suite struct JSONNumberTests {
    @Test(arguments: ["0", "-0", "1", "-1.5", "1e300", "1E+300", "2.5e-400", "1234567890123456789012345678901234567890123", "0.000"])
    func keepsEveryRFC8259NumberAsWritten(_ text: String) throws {
        #expect(try #require(JSONNumber(text)).literal == text)
    }

    @Test(arguments: ["", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x10", "1 ", "NaN", "Infinity", "--1", "1.2.3"])
    func refusesWhatIsNotAJSONNumber(_ text: String) {
        #expect(JSONNumber(text) == nil)
    }

    @Test func comparesByValueNotByText() throws {
        func number(_ text: String) throws -> JSONNumber { try #require(JSONNumber(text)) }
        #expect(try number("1") == number("1.0"))
        #expect(try number("1") == number("10e-1"))
        #expect(try number("1") == number("0.1e1"))
        #expect(try number("0") == number("-0.0e5"))
        #expect(try Set([number("1"), number("1.00")]).count == 1)
        let ascending = try ["-1e300", "-2", "-1.5", "-0.000001", "0", "1e-400", "0.1", "0.1000000000000000000000000000000000000000001", "2",
            "1234567890123456789012345678901234567890123", "1234567890123456789012345678901234567890124", "1e300", "1e9999999999999999999"].map(number)
        #expect(ascending.shuffled().sorted() == ascending)
        #expect(try number("1e9999999999999999999") > number("1e300"))
    }

    @Test func convertsOnlyWhenExact() throws {
        func number(_ text: String) throws -> JSONNumber { try #require(JSONNumber(text)) }
        #expect(try number("2.0").intValue == 2)
        #expect(try number("1e3").intValue == 1_000)
        #expect(try number("9223372036854775807").intValue == Int.max)
        #expect(try number("-9223372036854775808").intValue == Int.min)
        #expect(try number("9223372036854775808").intValue == nil)
        #expect(try number("2.5").intValue == nil)
        #expect(try number("0.30000000000000004").decimalValue == Decimal(string: "0.30000000000000004"))
        #expect(try number("1234567890123456789012345678901234567890123").decimalValue == nil)  // Decimal would round it
        #expect(try number("1e300").decimalValue == nil)
        #expect(JSONNumber(Decimal(string: "-12.99")!).literal == "-12.99")
    }
}

@Suite struct JSONValueParsingTests {
    @Test func keepsNumbersExactInsideDocuments() throws {
        let value = try #require(JSONValue(json: Array(#"{"a":[1e300, 1234567890123456789012345678901234567890123], "b": {"c": -0.5}}"#.utf8)))
        #expect(value.value(at: "a") == .array([.number(try #require(JSONNumber("1e300"))), .number(try #require(JSONNumber("1234567890123456789012345678901234567890123")))]))
        #expect(value.value(at: "b.c") == .number(try #require(JSONNumber("-0.5"))))
        #expect(value.jsonText == #"{"a":[1e300,1234567890123456789012345678901234567890123],"b":{"c":-0.5}}"#)
    }

    @Test func decodesEscapesAndSurrogatePairs() {
        let text = #"["plain", "tab\there", "quote\" slash\/ back\\", "\u00e9\u0301", "\ud83d\ude00", "\b\f\n\r"]"#
        let expected: [JSONValue] = [.string("plain"), .string("tab\there"), .string(#"quote" slash/ back\"#), .string("\u{E9}\u{301}"), .string("😀"), .string("\u{8}\u{C}\n\r")]
        #expect(JSONValue(json: Array(text.utf8)) == .array(expected))
    }

    @Test func theLastOfTwoMembersWithOneNameWinsAsInJSONB() {
        #expect(JSONValue(json: Array(#"{"a":1,"a":2}"#.utf8)) == .object(["a": .number(2)]))
    }

    @Test(arguments: ["", "[1,]", "{\"a\":1,}", "NaN", "[1] x", "\"\\ud800\"", "{'a':1}", "[01]"])
    func refusesWhatStrictJSONRefuses(_ text: String) {
        #expect(JSONValue(json: Array(text.utf8)) == nil)
    }

    @Test func scalarsAtTheTopLevel() {
        #expect(JSONValue(json: Array(" true ".utf8)) == .bool(true))
        #expect(JSONValue(json: Array("null".utf8)) == .null)
        #expect(JSONValue(json: Array("-7".utf8)) == .number(-7))
        #expect(JSONValue(json: Array(#""x""#.utf8)) == .string("x"))
    }
}
