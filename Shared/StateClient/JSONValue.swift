import Foundation

/// Any JSON value, with numbers kept exactly as written (``JSONNumber``: `1e300` and a 43-digit
/// integer survive, where `Double` and `Decimal` round).
///
/// Parse with ``init(json:)`` and write with ``jsonText``. It is deliberately not `Codable`: a
/// `Decoder` hands numbers over as `Double` or `Decimal` only, which would round them.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    /// Members by name, names told apart by their bytes (``UTF8Key``) as in PostgreSQL's `jsonb`:
    /// `"\u{E9}"` and `"e\u{301}"` are two members, though Swift's `String` calls them equal.
    case object([UTF8Key: JSONValue])

    /// Parses JSON text (RFC 8259, as ``StrictJSON`` accepts it); `nil` when it is not JSON. When a
    /// name occurs twice in an object (the same bytes), the last member wins, as in PostgreSQL's `jsonb`.
    public init?(json bytes: [UInt8]) {
        guard StrictJSON.isValid(bytes) else { return nil }
        var reader = JSONValueReader(bytes: bytes)
        self = reader.value()
    }

    /// The value at a dotted path (`address.city`) inside objects; `nil` when absent.
    public func value(at path: String) -> JSONValue? {
        var current = self
        for component in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard case .object(let fields) = current, let next = fields[UTF8Key(String(component))] else { return nil }
            current = next
        }
        return current
    }

    /// `true` for null, booleans, numbers and strings.
    public var isScalar: Bool {
        switch self {
        case .null, .bool, .number, .string: true
        case .array, .object: false
        }
    }
}

extension JSONValue {
    /// `text` as a JSON string literal: quoted, with `"`, `\` and control characters escaped.
    public static func stringLiteral(_ text: String) -> String {
        var literal: [UInt8] = []
        appendStringLiteral(text, to: &literal)
        return String(decoding: literal, as: UTF8.self)
    }

    /// ``stringLiteral(_:)``'s bytes, appended to `bytes`.
    public static func appendStringLiteral(_ text: String, to bytes: inout [UInt8]) {
        func needsEscape(_ byte: UInt8) -> Bool { byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") }
        var text = text
        // The UTF-8 bytes as one buffer (a native string's own storage): scanning and copying a
        // buffer is several times faster than going through `String.UTF8View`.
        text.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            defer { bytes.append(UInt8(ascii: "\"")) }
            // Most text (names, ids, URLs) has nothing to escape: copy it whole.
            guard utf8.contains(where: needsEscape) else { return bytes.append(contentsOf: utf8) }
            for byte in utf8 {
                guard needsEscape(byte) else {
                    bytes.append(byte)  // UTF-8 sequences of other characters pass through as they are
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): bytes += #"\""#.utf8
                case UInt8(ascii: "\\"): bytes += #"\\"#.utf8
                case UInt8(ascii: "\n"): bytes += #"\n"#.utf8
                case UInt8(ascii: "\r"): bytes += #"\r"#.utf8
                case UInt8(ascii: "\t"): bytes += #"\t"#.utf8
                default:
                    let hex = String(byte, radix: 16)
                    bytes += ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8
                }
            }
        }
    }
}

extension JSONValue {
    /// The value as compact JSON text, numbers written exactly (`0.1` stays `0.1`) and object
    /// members sorted by name (byte order).
    public var jsonText: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .number(let value): value.description
        case .string(let value): Self.stringLiteral(value)
        case .array(let values): "[" + values.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let members):
            "{" + members.sorted { $0.key < $1.key }.map { Self.stringLiteral($0.key.string) + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
        }
    }
}
