/// The one strict JSON validator: what the stores, the sidecar and the HTTP state client accept
/// as a JSON value.
///
/// Strict RFC 8259 JSON in UTF-8: no trailing commas, comments, `NaN` or bare words (which
/// Foundation's `JSONDecoder` lets through), no unpaired surrogate escape, nesting at most 512
/// deep (as `JSONDecoder`). ``Profile/postgresJSONB`` adds PostgreSQL's `jsonb` limits, so every
/// value it accepts is stored as `jsonb` and stays queryable: no `\u0000` escape, numbers of at
/// most 5000 digits on either side of the point with an exponent of at most ±5000 (`numeric`'s
/// range). The PostgreSQL store keeps anything else as binary, which keeps its bytes exactly.
public enum StrictJSON {
    /// Which limits apply beyond RFC 8259.
    public enum Profile: Sendable {
        /// RFC 8259, nesting at most 512 deep.
        case rfc8259
        /// RFC 8259 within what PostgreSQL's `jsonb` stores.
        case postgresJSONB
    }

    static let maximumDepth = 512
    static let maximumDigits = 5_000

    /// Whether `bytes` are one JSON value under `profile`.
    public static func isValid(_ bytes: [UInt8], _ profile: Profile = .rfc8259) -> Bool {
        text(bytes, profile) != nil
    }

    /// The bytes as text when they are one JSON value under `profile`, else `nil`.
    public static func text(_ bytes: [UInt8], _ profile: Profile = .rfc8259) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        var parser = Parser(bytes: bytes, postgres: profile == .postgresJSONB)
        guard parser.parseDocument() else { return nil }
        return text
    }

    private struct Parser {
        let bytes: [UInt8]
        /// Whether PostgreSQL's limits apply (U+0000, digits).
        let postgres: Bool
        var index = 0

        mutating func parseDocument() -> Bool {
            skipWhitespace()
            guard parseValue(depth: 0) else { return false }
            skipWhitespace()
            return index == bytes.count
        }

        private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        private mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        private mutating func consume(_ byte: UInt8) -> Bool {
            guard current == byte else { return false }
            index += 1
            return true
        }

        private mutating func parseValue(depth: Int) -> Bool {
            switch current {
            case UInt8(ascii: "{"): return parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return parseString()
            case UInt8(ascii: "t"): return parseLiteral("true")
            case UInt8(ascii: "f"): return parseLiteral("false")
            case UInt8(ascii: "n"): return parseLiteral("null")
            default: return parseNumber()
            }
        }

        private mutating func parseLiteral(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard bytes.count - index >= count else { return false }
            let matches = literal.withUTF8Buffer { expected in expected.elementsEqual(bytes[index..<index + count]) }
            guard matches else { return false }
            index += count
            return true
        }

        private mutating func parseObject(depth: Int) -> Bool {
            guard depth <= StrictJSON.maximumDepth, consume(UInt8(ascii: "{")) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: "}")) { return true }
            while true {
                skipWhitespace()
                guard parseString() else { return false }
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { return false }
                skipWhitespace()
                guard parseValue(depth: depth) else { return false }
                skipWhitespace()
                if consume(UInt8(ascii: "}")) { return true }
                guard consume(UInt8(ascii: ",")) else { return false }
            }
        }

        private mutating func parseArray(depth: Int) -> Bool {
            guard depth <= StrictJSON.maximumDepth, consume(UInt8(ascii: "[")) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return true }
            while true {
                skipWhitespace()
                guard parseValue(depth: depth) else { return false }
                skipWhitespace()
                if consume(UInt8(ascii: "]")) { return true }
                guard consume(UInt8(ascii: ",")) else { return false }
            }
        }

        /// A string; the bytes are already known to be valid UTF-8.
        private mutating func parseString() -> Bool {
            guard consume(UInt8(ascii: "\"")) else { return false }
            while let byte = current {
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return true
                case 0x00..<0x20: return false
                case UInt8(ascii: "\\"):
                    guard let escaped = current else { return false }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                        UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        continue
                    case UInt8(ascii: "u"):
                        guard let unit = parseHex4() else { return false }
                        switch unit {
                        case 0 where postgres: return false  // jsonb cannot hold U+0000
                        case 0xD800...0xDBFF:
                            guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")), let low = parseHex4(),
                                (0xDC00...0xDFFF).contains(low)
                            else { return false }
                        case 0xDC00...0xDFFF: return false
                        default: continue
                        }
                    default: return false
                    }
                default: continue
                }
            }
            return false
        }

        private mutating func parseHex4() -> UInt16? {
            guard bytes.count - index >= 4 else { return nil }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt16(digit)
                index += 1
            }
            return value
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, for PostgreSQL within `numeric`'s range.
        private mutating func parseNumber() -> Bool {
            let maximumDigits = postgres ? StrictJSON.maximumDigits : Int.max
            _ = consume(UInt8(ascii: "-"))
            let integerDigits = countDigits()
            guard integerDigits > 0, integerDigits <= maximumDigits else { return false }
            if integerDigits > 1, bytes[index - integerDigits] == UInt8(ascii: "0") { return false }
            if consume(UInt8(ascii: ".")) {
                let fractionDigits = countDigits()
                guard fractionDigits > 0, fractionDigits <= maximumDigits else { return false }
            }
            if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
                if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
                let start = index
                let exponentDigits = countDigits()
                guard exponentDigits > 0 else { return false }
                guard postgres else { return true }
                let significant = bytes[start..<index].drop { $0 == UInt8(ascii: "0") }
                guard significant.count <= 4, (Int(String(decoding: significant, as: UTF8.self)) ?? 0) <= maximumDigits
                else { return false }
            }
            return true
        }

        private mutating func countDigits() -> Int {
            let start = index
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
            return index - start
        }
    }
}
