import Foundation
import StateClient
import Testing

@Suite struct JSONStringLiteralTests {
    @Test(arguments: [
        "plain text", "", "quote \" and backslash \\", "line\nbreak\r\ttab", "control \u{1}\u{1f}",
        "émoji 🧺 and 中文", "/api/v1/catalog/items/1/pic", "\u{7f} delete stays",
    ])
    func isQuotedEscapedAndDecodesToTheSameText(_ text: String) throws {
        let literal = JSONValue.stringLiteral(text)
        #expect(literal.hasPrefix("\"") && literal.hasSuffix("\""))
        let decoded = try JSONDecoder().decode(String.self, from: Data(literal.utf8))
        #expect(decoded == text)
        #expect(!literal.utf8.dropFirst().dropLast().contains { $0 < 0x20 })
    }

    @Test func escapesAsJSONWritersDo() {
        #expect(JSONValue.stringLiteral("a\"b\\c\nd\u{1}") == #""a\"b\\c\nd\u0001""#)
    }
}
