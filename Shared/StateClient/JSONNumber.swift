import Foundation

/// A JSON number kept exactly as written, compared by its mathematical value.
///
/// RFC 8259 §6 sets no limit on a number's digits or exponent; `Double` rounds past 17
/// significant digits and `Decimal` past 38 (and overflows near 1e165), so a state value holding
/// `1e300` or a 43-digit id would be cut or refused. A `JSONNumber` keeps the literal (what is
/// stored and written back) and a normal form for comparison: `1`, `1.0`, `10e-1` and `0.1e1` are
/// equal, as in PostgreSQL's `numeric`, which the PostgreSQL store's queries use.
///
/// Exponents past ±10^15 (written with more digits than any real value needs) compare as ±10^15.
public struct JSONNumber: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The number as written in the JSON text (RFC 8259 grammar).
    public let literal: String
    /// The value is `0.d₁d₂…dₙ × 10^exponent` with `digits` = d₁…dₙ (no leading or trailing
    /// zeros); zero has no digits.
    private let negative: Bool
    private let digits: [UInt8]
    private let exponent: Int

    static let exponentLimit = 1_000_000_000_000_000

    /// `text` when it is one RFC 8259 number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`),
    /// else `nil`.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        var index = 0
        func digitRun() -> ArraySlice<UInt8> {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return bytes[start..<index]
        }
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index += 1 }
        let integer = digitRun()
        guard !integer.isEmpty, integer.count == 1 || integer.first != UInt8(ascii: "0") else { return nil }
        var fraction: ArraySlice<UInt8> = []
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fraction = digitRun()
            guard !fraction.isEmpty else { return nil }
        }
        var written = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var sign = 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                if bytes[index] == UInt8(ascii: "-") { sign = -1 }
                index += 1
            }
            let run = digitRun()
            guard !run.isEmpty else { return nil }
            let value = run.drop { $0 == UInt8(ascii: "0") }
            written = value.count > 15 ? Self.exponentLimit : value.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            written *= sign
        }
        guard index == bytes.count else { return nil }
        let all = (integer + fraction).map { $0 - UInt8(ascii: "0") }
        let leading = all.prefix { $0 == 0 }.count
        let significant = all.dropFirst(leading)
        let trailing = significant.reversed().prefix { $0 == 0 }.count
        self.literal = String(text)
        self.negative = negative && !significant.isEmpty
        self.digits = Array(significant.dropLast(trailing))
        self.exponent = digits.isEmpty ? 0 : written + integer.count - leading
    }

    public init(integerLiteral value: Int) {
        self.init(String(value))!
    }

    public init(_ value: Int) {
        self.init(String(value))!
    }

    /// A `Decimal`'s value, written as `Decimal.description` writes it (`0.1`, `-12.99`).
    public init(_ value: Decimal) {
        self.init(value.description)!
    }

    public var description: String { literal }

    /// The value as a `Decimal` when `Decimal` holds it exactly (at most 38 significant digits,
    /// exponent within its range); else `nil`, never a rounded value.
    public var decimalValue: Decimal? {
        guard !digits.isEmpty else { return 0 }
        let exponent = exponent - digits.count  // value = DIGITS × 10^exponent
        guard digits.count <= 38, (-128...127).contains(exponent) else { return nil }
        let text = (negative ? "-" : "") + digits.map { String($0) }.joined() + "e" + String(exponent)
        return Decimal(string: text)
    }

    /// The value as an `Int` when it is a whole number within `Int`'s range (`2.0` is 2).
    public var intValue: Int? {
        guard !digits.isEmpty else { return 0 }
        guard exponent >= digits.count, exponent <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for position in 0..<exponent {
            let digit = position < digits.count ? UInt64(digits[position]) : 0
            let (shifted, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            guard !overflow, !carry else { return nil }
            magnitude = sum
        }
        if negative { return magnitude <= Int.min.magnitude ? Int(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int.max) ? Int(magnitude) : nil
    }

    public static func == (left: JSONNumber, right: JSONNumber) -> Bool {
        left.negative == right.negative && left.exponent == right.exponent && left.digits == right.digits
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(negative)
        hasher.combine(exponent)
        hasher.combine(digits)
    }

    public static func < (left: JSONNumber, right: JSONNumber) -> Bool {
        if left.negative != right.negative { return left.negative }
        let magnitudeLess = Self.magnitudeLess(left, right)
        return left.negative ? Self.magnitudeLess(right, left) : magnitudeLess
    }

    private static func magnitudeLess(_ left: JSONNumber, _ right: JSONNumber) -> Bool {
        if left.digits.isEmpty || right.digits.isEmpty { return left.digits.isEmpty && !right.digits.isEmpty }
        if left.exponent != right.exponent { return left.exponent < right.exponent }
        return left.digits.lexicographicallyPrecedes(right.digits)
    }
}
