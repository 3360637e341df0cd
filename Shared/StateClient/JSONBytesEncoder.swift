import Foundation

/// Encodes `Encodable` values as compact JSON bytes, written as the value's `encode(to:)` runs:
/// no tree of the value is built first, as Foundation's `JSONEncoder` builds one. Every service's
/// JSON answers go through it (ServiceDefaults' `JSONResponseEncoder`), where Foundation's encoder
/// was a tenth of a basket read's CPU time; nothing on the package list encodes Codable to JSON.
///
/// The JSON means what `JSONEncoder` (default strategies, `.withoutEscapingSlashes`) writes:
/// `Date` as its own `Codable` form (seconds since 2001), `Data` as Base64, `URL` as its absolute
/// string, `Decimal` as its exact digits, `nil` members left out (`encodeIfPresent`), a value
/// that asks for no container as `{}`, a non-finite `Double` an `EncodingError`. Members are
/// written in the order `encode(to:)` writes them. The text may differ (`\u0008` for `\b`).
///
/// A value's `encode(to:)` may use its containers only in order: a container, `superEncoder` or
/// single-value container written to after a later sibling started (never done by synthesized
/// `Codable`, nor by the standard library's types), or an error the type catches itself after a
/// member name was written, makes `encode` fall back to `JSONEncoder` for the whole value, with
/// the same result. A type that writes one key twice, or asks twice for the nested container of
/// one key, gets the key twice (`JSONEncoder` keeps the last, or merges the two). Asking one
/// encoder for its container again gives the same container (a subclass and its superclass
/// writing into one object, as with `JSONEncoder`); asking it for a keyed and an unkeyed one is an
/// `EncodingError` (`JSONEncoder` stops the process).
public struct JSONBytesEncoder: Sendable {
    public init() {}

    /// `value` as JSON, appended to `bytes`; on an error `bytes` is left as it was.
    public func encode(_ value: some Encodable, into bytes: inout [UInt8]) throws {
        let writer = JSONByteWriter(bytes)
        bytes = []  // the writer's copy is then the only one: its appends copy nothing
        defer { bytes = writer.bytes }
        do {
            try writer.encodeValue(value, path: nil, isTopLevel: true)
            writer.closeContainers(deeperThan: -1)
            if let refusal = writer.refusal { throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: refusal)) }
            if writer.isSpoilt { throw JSONByteWriter.OutOfOrder() }
        } catch is JSONByteWriter.OutOfOrder {
            writer.bytes.removeSubrange(writer.start...)
            writer.bytes += try Self.fallback.encode(value)
        } catch {
            writer.bytes.removeSubrange(writer.start...)
            throw error
        }
    }

    /// `value` as JSON.
    public func encode(_ value: some Encodable) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        try encode(value, into: &bytes)
        return bytes
    }

    private static let fallback: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}

/// The bytes written so far and the containers still open, innermost last. Each container
/// has a serial number; one whose number is no longer on the stack was closed by a later write.
final class JSONByteWriter {
    struct OutOfOrder: Error {}

    var bytes: [UInt8]
    /// Where this value's text starts in `bytes`.
    let start: Int
    private var open: [(serial: Int, closer: UInt8, hasMembers: Bool)] = []
    private var nextSerial = 0
    /// A value position is begun and nothing written in it yet (a member's name, an element's
    /// separator, a `superEncoder` handed out): a value that asks for no container there is `{}`.
    private var valuePending = false
    /// The number of the current value position: a position's encoder may open its container
    /// or write its single value only while it is current.
    private(set) var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        start = bytes.count
    }

    /// A container was used out of order where no error could be thrown: the text is wrong, and
    /// `JSONEncoder` writes the value instead.
    private(set) var isSpoilt = false
    /// Why the value cannot be encoded at all, found where no error could be thrown.
    private(set) var refusal: String?

    var depth: Int { open.count - 1 }

    func spoil() { isSpoilt = true }
    func refuse(_ reason: String) { refusal = refusal ?? reason }

    /// Whether the container `serial` is still open at `depth`.
    func isOpen(_ serial: Int, at depth: Int) -> Bool { depth < open.count && open[depth].serial == serial }

    /// Closes the containers above `depth` (a sibling or the parent is written next).
    func closeContainers(deeperThan depth: Int) {
        if valuePending {
            bytes += [UInt8(ascii: "{"), UInt8(ascii: "}")]
            valuePending = false
        }
        while open.count - 1 > depth { bytes.append(open.removeLast().closer) }
    }

    /// Opens `{` or `[` at the current position; returns its serial number and depth.
    func openContainer(_ opener: UInt8, _ closer: UInt8) -> (serial: Int, depth: Int) {
        valuePending = false
        bytes.append(opener)
        nextSerial += 1
        open.append((nextSerial, closer, false))
        return (nextSerial, depth)
    }

    /// Makes the container `serial` at `depth` the innermost again and writes the separator
    /// before its next element.
    func beginElement(of serial: Int, at depth: Int) throws(OutOfOrder) {
        guard isOpen(serial, at: depth) else {
            spoil()  // also when the value's own code catches the error
            throw OutOfOrder()
        }
        closeContainers(deeperThan: depth)
        if open[depth].hasMembers { bytes.append(UInt8(ascii: ",")) } else { open[depth].hasMembers = true }
        position += 1
    }

    func beginMember(_ key: some CodingKey, of serial: Int, at depth: Int) throws(OutOfOrder) {
        try beginElement(of: serial, at: depth)
        JSONValue.appendStringLiteral(key.stringValue, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Marks the position after a member name as open for a value written later (`superEncoder`).
    func deferValue() { valuePending = true }

    /// `text` as it is: a number, `true`, `null`.
    func writeRaw(_ text: String) {
        valuePending = false
        bytes += text.utf8
    }

    /// `string` as a JSON string literal.
    func writeString(_ string: String) {
        valuePending = false
        JSONValue.appendStringLiteral(string, to: &bytes)
    }

    /// A finite number as Swift writes it, without a trailing `.0` (as `JSONEncoder`); a
    /// non-finite one is an `EncodingError` (`path` is made only then).
    func writeNumber(_ value: some BinaryFloatingPoint & CustomStringConvertible, path: @autoclosure () -> CodingPathNode?) throws {
        guard value.isFinite else {
            spoil()  // a member name may be written already; a caller that catches this gets `JSONEncoder`'s text
            throw EncodingError.invalidValue(
                value, .init(codingPath: path()?.codingPath ?? [], debugDescription: "Unable to encode \(value) directly in JSON."))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        writeRaw(text)
    }

    /// Any value at the current position: the types `JSONEncoder` treats apart, else the value's
    /// own `encode(to:)`, after which the containers it opened are closed. A top-level value that
    /// asks for no container is an `EncodingError`, as with `JSONEncoder`.
    func encodeValue(_ value: some Encodable, path: CodingPathNode?, isTopLevel: Bool = false) throws {
        // Comparing types, not casting: a cast of every value costs more than the comparisons.
        let type = type(of: value)
        if type == String.self {
            writeString(value as! String)
        } else if type == Decimal.self {
            writeRaw((value as! Decimal).description)
        } else if type == URL.self {
            writeString((value as! URL).absoluteString)
        } else if type == Data.self {
            writeString((value as! Data).base64EncodedString())
        } else {
            let depth = self.depth
            valuePending = true
            let encoder = JSONBytesValueEncoder(writer: self, path: path)
            do {
                try value.encode(to: encoder)
            } catch {
                spoil()  // part of the value may be written; a caller that catches this gets `JSONEncoder`'s text
                throw error
            }
            if isTopLevel && !encoder.wasAskedForAContainer {
                throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "Top-level \(type) did not encode any values."))
            }
            closeContainers(deeperThan: depth)
        }
    }
}

/// A coding path built only when asked for (errors): each nested value links to its parent.
final class CodingPathNode {
    let parent: CodingPathNode?
    let key: any CodingKey

    init(_ parent: CodingPathNode?, _ key: any CodingKey) {
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] { (parent?.codingPath ?? []) + [key] }
}
