import Foundation
import StateClient

/// Small helpers to write JSON text by hand, so stored values are embedded as they are.
enum RawJSON {
    /// `text` as a JSON string literal.
    static func string(_ text: String) -> String {
        JSONValue.stringLiteral(text)
    }

    /// A stored value as JSON: its own text when it is JSON, else a JSON string of its bytes.
    static func value(_ bytes: [UInt8]) -> String {
        if let text = StrictJSON.text(bytes) { return text }
        return string(String(decoding: bytes, as: UTF8.self))
    }

    /// An object from already-encoded members, leaving out `nil` ones.
    static func object(_ members: [(String, String?)]) -> String {
        "{" + members.compactMap { name, value in value.map { string(name) + ":" + $0 } }.joined(separator: ",") + "}"
    }

    /// RFC 3339 in UTC, as Dapr writes `ttlExpireTime`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}
