/// A string that is equal to another only when their UTF-8 bytes are: a dictionary key, or a
/// set member, that means what it means to Redis and PostgreSQL.
///
/// Swift's `String` compares by canonical equivalence: `"\u{E9}"` (é, precomposed) and
/// `"e\u{301}"` (e + combining acute accent) are `==`, hash alike, and so are one key of a
/// `[String: …]`. Redis and PostgreSQL compare bytes: to them these are two keys. Keying by
/// `UTF8Key` keeps two such keys (state keys, JSON member names) apart, as the stores do.
public struct UTF8Key: Hashable, Sendable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var string: String

    public init(_ string: String) {
        self.string = string
    }

    public init(stringLiteral value: String) {
        self.string = value
    }

    public var description: String { string }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        for byte in string.utf8 { hasher.combine(byte) }
        hasher.combine(0xFF as UInt8)  // never a byte of UTF-8: ends the key
    }

    /// Byte order, as Redis and PostgreSQL (`COLLATE "C"`) sort keys.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.string.utf8.lexicographicallyPrecedes(rhs.string.utf8)
    }
}

extension String {
    /// Whether the string's UTF-8 bytes start with `prefix`'s: a key prefix as Redis and
    /// PostgreSQL match it (`hasPrefix` compares characters: `"e\u{301}"` does not start with `"e"`).
    public func hasBytePrefix(_ prefix: String) -> Bool {
        utf8.starts(with: prefix.utf8)
    }

    /// Whether `other`'s UTF-8 bytes occur in the string's, as the stores would find them
    /// (`contains` compares characters: in `"a||\u{301}"` the second `|` and the accent are one
    /// `Character`, so it does not contain `"||"` for Swift).
    public func containsBytes(_ other: String) -> Bool {
        let bytes = Array(utf8)
        let needle = Array(other.utf8)
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { start in bytes[start..<start + needle.count].elementsEqual(needle) }
    }
}
