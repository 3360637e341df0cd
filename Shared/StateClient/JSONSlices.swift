/// Splits JSON text into the text of its parts without re-encoding them, so a stored value that a
/// sidecar embeds in a response (`"data": {…}`) comes out byte for byte.
///
/// It finds boundaries only (strings, nesting); a part's own validity is checked where it is used.
public enum JSONSlices {
    /// The text is not JSON where a boundary was expected.
    public struct Malformed: Error {}

    /// The elements of a JSON array, each as its own text.
    public static func elements(_ text: ArraySlice<UInt8>) throws(Malformed) -> [ArraySlice<UInt8>] {
        var scanner = Scanner(text)
        var elements: [ArraySlice<UInt8>] = []
        try scanner.expect(UInt8(ascii: "["))
        if try scanner.consumeIf(UInt8(ascii: "]")) { return try scanner.end(elements) }
        repeat {
            elements.append(try scanner.value())
        } while try scanner.consumeIf(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "]"))
        return try scanner.end(elements)
    }

    /// The members of a JSON object in their order, each name with its value's text.
    public static func members(_ text: ArraySlice<UInt8>) throws(Malformed) -> [(name: String, value: ArraySlice<UInt8>)] {
        var scanner = Scanner(text)
        var members: [(name: String, value: ArraySlice<UInt8>)] = []
        try scanner.expect(UInt8(ascii: "{"))
        if try scanner.consumeIf(UInt8(ascii: "}")) { return try scanner.end(members) }
        repeat {
            let name = try string(try scanner.value())
            try scanner.expect(UInt8(ascii: ":"))
            members.append((name, try scanner.value()))
        } while try scanner.consumeIf(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "}"))
        return try scanner.end(members)
    }

    /// The string a JSON string literal stands for.
    public static func string(_ text: ArraySlice<UInt8>) throws(Malformed) -> String {
        guard case .string(let value)? = JSONValue(json: Array(text)) else { throw Malformed() }
        return value
    }

    private struct Scanner {
        let text: ArraySlice<UInt8>
        var index: Int

        init(_ text: ArraySlice<UInt8>) {
            self.text = text
            self.index = text.startIndex
        }

        mutating func skipWhitespace() {
            while index < text.endIndex, [0x20, 0x0A, 0x0D, 0x09].contains(text[index]) { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Malformed) {
            guard try consumeIf(byte) else { throw Malformed() }
        }

        mutating func consumeIf(_ byte: UInt8) throws(Malformed) -> Bool {
            skipWhitespace()
            guard index < text.endIndex else { throw Malformed() }
            guard text[index] == byte else { return false }
            index += 1
            return true
        }

        /// `result` when only whitespace is left.
        mutating func end<T>(_ result: T) throws(Malformed) -> T {
            skipWhitespace()
            guard index == text.endIndex else { throw Malformed() }
            return result
        }

        /// The text of the next value: a string, a nested array or object, or a literal/number.
        mutating func value() throws(Malformed) -> ArraySlice<UInt8> {
            skipWhitespace()
            let start = index
            var depth = 0
            var inString = false
            var escaped = false
            while index < text.endIndex {
                let byte = text[index]
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                } else {
                    switch byte {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
                    case UInt8(ascii: "]"), UInt8(ascii: "}"):
                        if depth == 0 { return try slice(from: start) }
                        depth -= 1
                    case UInt8(ascii: ","), UInt8(ascii: ":"), 0x20, 0x0A, 0x0D, 0x09:
                        if depth == 0 { return try slice(from: start) }
                    default: break
                    }
                }
                index += 1
                if depth == 0 && !inString && (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}")) {
                    return try slice(from: start)
                }
            }
            guard depth == 0, !inString else { throw Malformed() }
            return try slice(from: start)
        }

        private func slice(from start: Int) throws(Malformed) -> ArraySlice<UInt8> {
            guard index > start else { throw Malformed() }
            return text[start..<index]
        }
    }
}
