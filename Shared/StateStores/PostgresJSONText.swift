/// Decides whether a value's bytes can be stored as `jsonb` (and are then queryable) or must be
/// stored as binary (base64 in a JSON string, `isbinary = true`).
///
/// The check is strict RFC 8259 JSON in UTF-8 plus PostgreSQL's own limits, so that every value it
/// accepts is accepted by `jsonb` as well: no `\u0000` escape and no unpaired surrogate, nesting
/// at most 512 deep (PostgreSQL's stack limit), numbers of at most 5000 digits on either side of
/// the point with an exponent of at most ±5000 (`numeric`'s range). Anything else is binary, which
/// keeps its bytes exactly; only its queryability is lost.
enum PostgresJSONText {
    static let maximumDepth = 512
    static let maximumDigits = 5_000

    /// The value as JSON text for a `jsonb` parameter, or `nil` when it is not storable JSON.
    static func jsonb(_ bytes: [UInt8]) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        var parser = Parser(bytes: bytes)
        guard parser.parseDocument() else { return nil }
        return text
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

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
            guard depth <= PostgresJSONText.maximumDepth, consume(UInt8(ascii: "{")) else { return false }
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
            guard depth <= PostgresJSONText.maximumDepth, consume(UInt8(ascii: "[")) else { return false }
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
                        case 0: return false  // jsonb cannot hold U+0000
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

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` within `numeric`'s range.
        private mutating func parseNumber() -> Bool {
            _ = consume(UInt8(ascii: "-"))
            let integerDigits = countDigits()
            guard integerDigits > 0, integerDigits <= PostgresJSONText.maximumDigits else { return false }
            if integerDigits > 1, bytes[index - integerDigits] == UInt8(ascii: "0") { return false }
            if consume(UInt8(ascii: ".")) {
                let fractionDigits = countDigits()
                guard fractionDigits > 0, fractionDigits <= PostgresJSONText.maximumDigits else { return false }
            }
            if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
                if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
                let start = index
                let exponentDigits = countDigits()
                guard exponentDigits > 0 else { return false }
                let significant = bytes[start..<index].drop { $0 == UInt8(ascii: "0") }
                guard significant.count <= 4, (Int(String(decoding: significant, as: UTF8.self)) ?? 0) <= PostgresJSONText.maximumDigits
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
