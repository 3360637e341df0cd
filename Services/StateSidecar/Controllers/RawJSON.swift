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
        if JSONValue(json: bytes) != nil { return String(decoding: bytes, as: UTF8.self) }
        return string(String(decoding: bytes, as: UTF8.self))
    }

    /// The JSON text of a value decoded from a request (what is stored for `"value": …`).
    static func bytes(of value: JSONValue?) throws -> [UInt8] {
        guard let value else { return Array("null".utf8) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// An object from already-encoded members, leaving out `nil` ones.
    static func object(_ members: [(String, String?)]) -> String {
        "{" + members.compactMap { name, value in value.map { string(name) + ":" + $0 } }.joined(separator: ",") + "}"
    }

    /// Whether `bytes` has a comma right before `]` or `}` outside strings, which Foundation's
    /// decoder accepts but JSON (and Dapr) does not.
    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        var inString = false
        var escaped = false
        var afterComma = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): continue
            case UInt8(ascii: "]"), UInt8(ascii: "}"): if afterComma { return true }
            case UInt8(ascii: "\""): inString = true
            default: break
            }
            afterComma = byte == UInt8(ascii: ",")
        }
        return false
    }

    /// RFC 3339 in UTC, as Dapr writes `ttlExpireTime`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }
}
