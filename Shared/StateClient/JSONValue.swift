import Foundation

/// Any JSON value, with numbers kept as exact decimals (an int64 or `0.1` survives as written).
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Decimal.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON text; `nil` when it is not JSON.
    public init?(json bytes: [UInt8]) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else { return nil }
        self = value
    }

    /// The value at a dotted path (`address.city`) inside objects; `nil` when absent.
    public func value(at path: String) -> JSONValue? {
        var current = self
        for component in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard case .object(let fields) = current, let next = fields[String(component)] else { return nil }
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
        func needsEscape(_ byte: UInt8) -> Bool { byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") }
        // Most text (names, ids, URLs) has nothing to escape: copy it whole.
        guard text.utf8.contains(where: needsEscape) else { return "\"" + text + "\"" }
        var literal: [UInt8] = [UInt8(ascii: "\"")]
        literal.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            guard needsEscape(byte) else {
                literal.append(byte)  // UTF-8 sequences of other characters pass through as they are
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): literal += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): literal += Array(#"\\"#.utf8)
            case UInt8(ascii: "\n"): literal += Array(#"\n"#.utf8)
            case UInt8(ascii: "\r"): literal += Array(#"\r"#.utf8)
            case UInt8(ascii: "\t"): literal += Array(#"\t"#.utf8)
            default:
                let hex = String(byte, radix: 16)
                literal += Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            }
        }
        literal.append(UInt8(ascii: "\""))
        return String(decoding: literal, as: UTF8.self)
    }
}

extension JSONValue {
    /// The value as compact JSON text, numbers written exactly (`0.1` stays `0.1`) and object
    /// members sorted by name.
    public var jsonText: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .number(let value): value.description
        case .string(let value): Self.stringLiteral(value)
        case .array(let values): "[" + values.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let members):
            "{" + members.sorted { $0.key < $1.key }.map { Self.stringLiteral($0.key) + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
        }
    }
}
