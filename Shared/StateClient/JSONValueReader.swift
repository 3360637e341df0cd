/// Builds a ``JSONValue`` from text that ``StrictJSON`` has already accepted, so it checks
/// nothing itself: the grammar, UTF-8, escapes and surrogate pairs are known to be valid.
///
/// Foundation's `JSONDecoder` cannot be used for this: it gives numbers as `Double` or `Decimal`.
struct JSONValueReader {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func value() -> JSONValue {
        skipWhitespace()
        switch bytes[index] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return .string(string())
        case UInt8(ascii: "t"): index += 4; return .bool(true)
        case UInt8(ascii: "f"): index += 5; return .bool(false)
        case UInt8(ascii: "n"): index += 4; return .null
        default: return .number(number())
        }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    /// Skips whitespace, then the byte there (a `,`, `:` or closing bracket) when it is `byte`.
    private mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func object() -> JSONValue {
        index += 1
        var members: [UTF8Key: JSONValue] = [:]
        if consume(UInt8(ascii: "}")) { return .object(members) }
        repeat {
            skipWhitespace()
            let name = string()
            _ = consume(UInt8(ascii: ":"))
            members[UTF8Key(name)] = value()
        } while consume(UInt8(ascii: ","))
        _ = consume(UInt8(ascii: "}"))
        return .object(members)
    }

    private mutating func array() -> JSONValue {
        index += 1
        var elements: [JSONValue] = []
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        repeat {
            elements.append(value())
        } while consume(UInt8(ascii: ","))
        _ = consume(UInt8(ascii: "]"))
        return .array(elements)
    }

    private static let numberBytes = Set("0123456789+-.eE".utf8)

    private mutating func number() -> JSONNumber {
        let start = index
        while index < bytes.count, Self.numberBytes.contains(bytes[index]) { index += 1 }
        return JSONNumber(String(decoding: bytes[start..<index], as: UTF8.self))!  // validated by StrictJSON
    }

    private mutating func string() -> String {
        index += 1
        let start = index
        while bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
        if bytes[index] == UInt8(ascii: "\"") {
            defer { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: String(decoding: bytes[start..<index], as: UTF8.self).unicodeScalars)
        while bytes[index] != UInt8(ascii: "\"") {
            let runStart = index
            while bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
            scalars.append(contentsOf: String(decoding: bytes[runStart..<index], as: UTF8.self).unicodeScalars)
            guard bytes[index] == UInt8(ascii: "\\") else { break }
            index += 1
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "b"): scalars.append("\u{8}")
            case UInt8(ascii: "f"): scalars.append("\u{C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var unit = UInt32(hex4())
                if (0xD800...0xDBFF).contains(unit) {
                    index += 2  // "\u" of the low surrogate
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (UInt32(hex4()) - 0xDC00)
                }
                scalars.append(Unicode.Scalar(unit)!)  // StrictJSON refuses unpaired surrogates
            default: scalars.append(Unicode.Scalar(escaped))  // \" \\ \/
            }
        }
        index += 1
        return String(scalars)
    }

    private mutating func hex4() -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index] | 0x20  // lower-case letters; digits are unchanged
            value = value << 4 | UInt16(byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : byte - UInt8(ascii: "a") + 10)
            index += 1
        }
        return value
    }
}
