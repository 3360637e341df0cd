import Foundation
import StateClient
import Testing

/// `JSONBytesEncoder` means what Foundation's `JSONEncoder` (`.withoutEscapingSlashes`) means,
/// for every kind of value and container use; both outputs are compared as JSON values
/// (numbers exactly), and as text only where member order is the point.
@Suite struct JSONBytesEncoderTests {
    struct Line: Codable, Equatable {
        var productId: Int
        var productName: String
        var unitPrice: Decimal
        var oldUnitPrice: Decimal?
        var quantity: Int
        var pictureUrl: String
    }

    struct Everything: Encodable {
        var bool = true
        var int = Int.min
        var int8 = Int8.min
        var int16 = Int16.max
        var int32 = Int32.min
        var int64 = Int64.max
        var uint = UInt.max
        var uint8 = UInt8.max
        var uint16 = UInt16.max
        var uint32 = UInt32.max
        var uint64 = UInt64.max
        var doubles = [0, 1, 1.5, -0.0, 1e-7, 1.7976931348623157e308, Double.leastNonzeroMagnitude, 0.1, 123456789.125]
        var float: Float = 0.1
        var text = "quote \" backslash \\ slash / tab \t newline \n bell \u{7} nul \u{0} del \u{7F} é 中 🎉 \u{2028}"
        var date = Date(timeIntervalSince1970: 1_764_000_000.25)
        var data = Data([0, 1, 2, 250, 255])
        var url = URL(string: "https://example.com/a/b?c=d#e")!
        var uuid = UUID(uuidString: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F")!
        var missing: String? = nil
        var present: String? = "here"
        var lines = [Line(productId: 1, productName: "Mug", unitPrice: 19.5, oldUnitPrice: nil, quantity: 2, pictureUrl: "/pic/1")]
        var empty: [Int] = []
        var nested = [[1, 2], [], [3]]
        var byName = ["b": 2, "a": 1]
        var byNumber = [3: "three", 1: "one"]
        var optionals: [Int?] = [1, nil, 3]
        var choice = Choice.pair(7, name: "seven")
        var plain = Choice.none
        var nothing = EncodesNothing()
        var sub = Sub()
    }

    enum Choice: Encodable {
        case pair(Int, name: String)
        case none
    }

    struct EncodesNothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    class Base: Encodable {
        var base = "base"
    }

    /// Uses `superEncoder()` and nested containers by hand.
    final class Sub: Base {
        enum Keys: String, CodingKey { case own, point, list }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("own", forKey: .own)
            try super.encode(to: container.superEncoder())
            var point = container.nestedContainer(keyedBy: Keys.self, forKey: .point)
            try point.encode(1.25, forKey: .own)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try list.encode(true)
            var inner = list.nestedUnkeyedContainer()
            try inner.encodeNil()
            _ = list.superEncoder()  // used for nothing: {}
        }
    }

    /// A subclass writing its members and then its superclass's into the same encoder: one object.
    final class SameEncoder: Base {
        enum Keys: String, CodingKey { case own }
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("own", forKey: .own)
            try super.encode(to: encoder)
        }
    }

    /// Asks one encoder for an array, then for an object.
    struct TwoKinds: Encodable {
        func encode(to encoder: any Encoder) throws {
            var list = encoder.unkeyedContainer()
            try list.encode(1)
            var object = encoder.container(keyedBy: SameEncoder.Keys.self)
            try object.encode("own", forKey: .own)
        }
    }

    /// Hands out a `superEncoder` and writes through it after the next member.
    struct LateSuper: Encodable {
        enum Keys: String, CodingKey { case x }
        var single = false
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            let late = container.superEncoder()
            try container.encode(1, forKey: .x)
            if single {
                var value = late.singleValueContainer()
                try value.encode(5)
            } else {
                try Base().encode(to: late)
            }
        }
    }

    /// Catches the error of a member it cannot write, and writes the next one.
    struct CatchesItsOwnError: Encodable {
        enum Keys: String, CodingKey { case x, y }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try? container.encode(Double.nan, forKey: .x)
            try? container.encode([1, .infinity], forKey: .x)
            try container.encode(1, forKey: .y)
        }
    }

    /// Writes to a container after a later sibling began: the encoder falls back.
    struct OutOfOrder: Encodable {
        enum Keys: String, CodingKey { case a, b, c }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var a = container.nestedContainer(keyedBy: Keys.self, forKey: .a)
            var b = container.nestedContainer(keyedBy: Keys.self, forKey: .b)
            try b.encode(2, forKey: .b)
            try a.encode(1, forKey: .a)
            try container.encode(3, forKey: .c)
        }
    }

    func foundation(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    func expectSameMeaning(_ value: some Encodable, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = try JSONBytesEncoder().encode(value)
        let theirs = try foundation(value)
        let parsed = try #require(JSONValue(json: ours), "not JSON: \(String(decoding: ours, as: UTF8.self))", sourceLocation: sourceLocation)
        #expect(
            parsed == JSONValue(json: theirs),
            "\(String(decoding: ours, as: UTF8.self))\nvs\n\(String(decoding: theirs, as: UTF8.self))", sourceLocation: sourceLocation)
    }

    @Test func everyKindOfValueMeansWhatJSONEncoderWrites() throws {
        try expectSameMeaning(Everything())
    }

    @Test func topLevelValues() throws {
        try expectSameMeaning("text / \"quoted\"")
        try expectSameMeaning(42)
        try expectSameMeaning(Decimal(string: "-0.05")!)
        try expectSameMeaning([Line]())
        try expectSameMeaning(Optional<Int>.none)
        try expectSameMeaning([Everything(), Everything()])
        try expectSameMeaning(Sub())  // ends with a superEncoder nobody used
        try expectSameMeaning(Optional(EncodesNothing()))  // asked for a single value: {}
        try expectSameMeaning(Int128.min)
        try expectSameMeaning(["big": UInt128.max])
    }

    @Test func aTopLevelValueThatEncodesNothingIsRefusedAsJSONEncoderRefusesIt() {
        #expect(throws: EncodingError.self) { try foundation(EncodesNothing()) }
        #expect(throws: EncodingError.self) { try JSONBytesEncoder().encode(EncodesNothing()) }
    }

    @Test func aSubclassAndItsSuperclassWriteOneObjectThroughOneEncoder() throws {
        try expectSameMeaning(SameEncoder())
        try expectSameMeaning(["nested": [SameEncoder(), SameEncoder()]])
        #expect(String(decoding: try JSONBytesEncoder().encode(SameEncoder()), as: UTF8.self) == #"{"own":"own","base":"base"}"#)
    }

    @Test func anObjectAndAnArrayAtOnePathAreAnEncodingError() {
        var bytes = Array("kept".utf8)
        #expect(throws: EncodingError.self) { try JSONBytesEncoder().encode(["x": TwoKinds()], into: &bytes) }
        #expect(bytes == Array("kept".utf8))
    }

    @Test func aContainerUsedOutOfOrderFallsBackToJSONEncoder() throws {
        try expectSameMeaning(OutOfOrder())
        try expectSameMeaning(LateSuper())
        try expectSameMeaning(LateSuper(single: true))
        try expectSameMeaning(CatchesItsOwnError())
        try expectSameMeaning(["nested": CatchesItsOwnError()])
        var prefix = Array("prefix:".utf8)
        try JSONBytesEncoder().encode(OutOfOrder(), into: &prefix)
        #expect(prefix.starts(with: Array("prefix:{".utf8)))
    }

    @Test func nonFiniteNumbersAreRefusedAsJSONEncoderRefusesThem() {
        for value in [Double.nan, .infinity, -.infinity] {
            #expect(throws: EncodingError.self) { try JSONBytesEncoder().encode(["x": value]) }
            var bytes = Array("kept".utf8)
            #expect(throws: EncodingError.self) { try JSONBytesEncoder().encode(["x": [1, value]], into: &bytes) }
            #expect(bytes == Array("kept".utf8), "nothing of the failed value is left")
        }
    }

    @Test func membersComeInTheTypesOrderAndSlashesUnescaped() throws {
        let line = Line(productId: 1, productName: "Mug", unitPrice: 19.5, oldUnitPrice: 21, quantity: 2, pictureUrl: "/api/v1/catalog/items/1/pic")
        #expect(
            String(decoding: try JSONBytesEncoder().encode(line), as: UTF8.self)
                == #"{"productId":1,"productName":"Mug","unitPrice":19.5,"oldUnitPrice":21,"quantity":2,"pictureUrl":"/api/v1/catalog/items/1/pic"}"#)
    }
}
