import Foundation

/// The `Encoder` of one value position of a ``JSONBytesEncoder`` run. A class, as `JSONEncoder`'s
/// is: asked for a container again (a subclass's `encode(to:)` calling `super.encode(to:)` with the
/// same encoder), it gives the same object or array, not a second one.
final class JSONBytesValueEncoder: Encoder {
    let writer: JSONByteWriter
    let path: CodingPathNode?
    /// The writer's position this encoder writes at.
    let position: Int
    /// The container this position opened, once it has.
    private var opened: (serial: Int, depth: Int, closer: UInt8)?
    private(set) var wasAskedForAContainer = false

    init(writer: JSONByteWriter, path: CodingPathNode?) {
        self.writer = writer
        self.path = path
        position = writer.position
    }

    var codingPath: [any CodingKey] { path?.codingPath ?? [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let (serial, depth) = open(UInt8(ascii: "{"), UInt8(ascii: "}"))
        return KeyedEncodingContainer(JSONBytesKeyedContainer<Key>(writer: writer, serial: serial, depth: depth, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let (serial, depth) = open(UInt8(ascii: "["), UInt8(ascii: "]"))
        return JSONBytesUnkeyedContainer(writer: writer, serial: serial, depth: depth, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        wasAskedForAContainer = true
        return JSONBytesSingleValueContainer(writer: writer, path: path, position: position)
    }

    private func open(_ opener: UInt8, _ closer: UInt8) -> (serial: Int, depth: Int) {
        wasAskedForAContainer = true
        guard let opened else {
            if writer.position != position { writer.spoil() }  // a later sibling began: too late to write here
            let made = writer.openContainer(opener, closer)
            opened = (made.serial, made.depth, closer)
            return made
        }
        if opened.closer != closer {
            // `JSONEncoder` stops the process here; this run fails with an `EncodingError`.
            writer.refuse("\(type(of: self)) was asked for a keyed and an unkeyed container at one coding path")
        } else if !writer.isOpen(opened.serial, at: opened.depth) {
            writer.spoil()  // closed by a later sibling's write: the run falls back to `JSONEncoder`
        }
        return (opened.serial, opened.depth)
    }
}

/// The primitive writes all three containers share.
protocol JSONBytesPrimitives {
    var writer: JSONByteWriter { get }
}

extension JSONBytesPrimitives {
    func text(_ value: Bool) { writer.writeRaw(value ? "true" : "false") }
    func text(_ value: some BinaryInteger) { writer.writeRaw(String(value)) }
}

struct JSONBytesKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol, JSONBytesPrimitives {
    let writer: JSONByteWriter
    let serial: Int
    let depth: Int
    let path: CodingPathNode?

    var codingPath: [any CodingKey] { path?.codingPath ?? [] }

    private func member(_ key: Key) throws { try writer.beginMember(key, of: serial, at: depth) }

    mutating func encodeNil(forKey key: Key) throws { try member(key); writer.writeRaw("null") }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try member(key); text(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { try member(key); writer.writeString(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try member(key); try writer.writeNumber(value, path: CodingPathNode(path, key)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try member(key); try writer.writeNumber(value, path: CodingPathNode(path, key)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try member(key); text(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try member(key); text(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try member(key); text(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try member(key); text(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try member(key); text(value) }
    mutating func encode(_ value: Int128, forKey key: Key) throws { try member(key); text(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try member(key); text(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try member(key); text(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try member(key); text(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try member(key); text(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try member(key); text(value) }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { try member(key); text(value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try member(key)
        try writer.encodeValue(value, path: CodingPathNode(path, key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        nested(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        nested(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { nested(JSONBytesKey(stringValue: "super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { nested(key) }

    /// The encoder of the value at `key`, written next. Out of order, the writer is spoilt and
    /// the run falls back (``JSONBytesEncoder``).
    private func nested(_ key: some CodingKey) -> JSONBytesValueEncoder {
        try? writer.beginMember(key, of: serial, at: depth)  // out of order: spoilt, falls back
        writer.deferValue()
        return JSONBytesValueEncoder(writer: writer, path: CodingPathNode(path, key))
    }
}

struct JSONBytesUnkeyedContainer: UnkeyedEncodingContainer, JSONBytesPrimitives {
    let writer: JSONByteWriter
    let serial: Int
    let depth: Int
    let path: CodingPathNode?
    var count = 0

    var codingPath: [any CodingKey] { path?.codingPath ?? [] }

    private mutating func element() throws {
        try writer.beginElement(of: serial, at: depth)
        count += 1
    }

    mutating func encodeNil() throws { try element(); writer.writeRaw("null") }
    mutating func encode(_ value: Bool) throws { try element(); text(value) }
    mutating func encode(_ value: String) throws { try element(); writer.writeString(value) }
    mutating func encode(_ value: Double) throws { try element(); try writer.writeNumber(value, path: elementPath) }
    mutating func encode(_ value: Float) throws { try element(); try writer.writeNumber(value, path: elementPath) }
    mutating func encode(_ value: Int) throws { try element(); text(value) }
    mutating func encode(_ value: Int8) throws { try element(); text(value) }
    mutating func encode(_ value: Int16) throws { try element(); text(value) }
    mutating func encode(_ value: Int32) throws { try element(); text(value) }
    mutating func encode(_ value: Int64) throws { try element(); text(value) }
    mutating func encode(_ value: Int128) throws { try element(); text(value) }
    mutating func encode(_ value: UInt) throws { try element(); text(value) }
    mutating func encode(_ value: UInt8) throws { try element(); text(value) }
    mutating func encode(_ value: UInt16) throws { try element(); text(value) }
    mutating func encode(_ value: UInt32) throws { try element(); text(value) }
    mutating func encode(_ value: UInt64) throws { try element(); text(value) }
    mutating func encode(_ value: UInt128) throws { try element(); text(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try element()
        try writer.encodeValue(value, path: elementPath)
    }

    /// The path of the element just begun (`count` is its index plus one).
    private var elementPath: CodingPathNode { CodingPathNode(path, JSONBytesKey(intValue: count - 1)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        nested().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { nested().unkeyedContainer() }

    mutating func superEncoder() -> any Encoder {
        let encoder = nested()
        writer.deferValue()
        return encoder
    }

    private mutating func nested() -> JSONBytesValueEncoder {
        try? element()  // out of order: spoilt, falls back
        return JSONBytesValueEncoder(writer: writer, path: elementPath)
    }
}

struct JSONBytesSingleValueContainer: SingleValueEncodingContainer, JSONBytesPrimitives {
    let writer: JSONByteWriter
    let path: CodingPathNode?
    /// The writer's position the value belongs at: written later, it falls back.
    let position: Int

    var codingPath: [any CodingKey] { path?.codingPath ?? [] }

    private func check() { if writer.position != position { writer.spoil() } }

    mutating func encodeNil() throws { check(); writer.writeRaw("null") }
    mutating func encode(_ value: Bool) throws { check(); text(value) }
    mutating func encode(_ value: String) throws { check(); writer.writeString(value) }
    mutating func encode(_ value: Double) throws { check(); try writer.writeNumber(value, path: path) }
    mutating func encode(_ value: Float) throws { check(); try writer.writeNumber(value, path: path) }
    mutating func encode(_ value: Int) throws { check(); text(value) }
    mutating func encode(_ value: Int8) throws { check(); text(value) }
    mutating func encode(_ value: Int16) throws { check(); text(value) }
    mutating func encode(_ value: Int32) throws { check(); text(value) }
    mutating func encode(_ value: Int64) throws { check(); text(value) }
    mutating func encode(_ value: Int128) throws { check(); text(value) }
    mutating func encode(_ value: UInt) throws { check(); text(value) }
    mutating func encode(_ value: UInt8) throws { check(); text(value) }
    mutating func encode(_ value: UInt16) throws { check(); text(value) }
    mutating func encode(_ value: UInt32) throws { check(); text(value) }
    mutating func encode(_ value: UInt64) throws { check(); text(value) }
    mutating func encode(_ value: UInt128) throws { check(); text(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { check(); try writer.encodeValue(value, path: path) }
}

/// The keys the encoder makes itself: `super`, and array indexes in coding paths.
struct JSONBytesKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
