import NIOCore
import Testing

@testable import RedisClient

@Suite struct RESPEncodingTests {
    private func encoded(_ command: RedisCommand) throws -> String {
        var buffer = ByteBuffer()
        try command.encode(into: &buffer)
        return String(buffer: buffer)
    }

    @Test func formatsACommandAsARESPArrayOfBulkStrings() throws {
        #expect(try encoded(RedisCommand("GET", "k")) == "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
    }

    @Test func keepsEmptyAndBinaryArgumentsIntact() throws {
        var buffer = ByteBuffer()
        try RedisCommand("SET", "", [0, 13, 10, 255] as [UInt8]).encode(into: &buffer)
        let expected: [UInt8] = Array("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\n".utf8) + [0, 13, 10, 255] + Array("\r\n".utf8)
        #expect(Array(buffer.readableBytesView) == expected)
    }

    @Test func countsUTF8BytesNotCharacters() throws {
        #expect(try encoded(RedisCommand("SET", "clé", 42)) == "*3\r\n$3\r\nSET\r\n$4\r\nclé\r\n$2\r\n42\r\n")
    }

    @Test func encodesAPipelineBackToBack() throws {
        let buffer = try RedisCommand.encode([RedisCommand("PING"), RedisCommand("INCR", "n")])
        #expect(String(buffer: buffer) == "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n")
    }

    @Test func describesACommandWithoutItsArguments() {
        #expect("\(RedisCommand("AUTH", "secret"))" == "AUTH")
    }

    @Test func scriptsAreNamedByTheSHA1OfTheirSource() {
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}

@Suite struct RESPReaderTests {
    private func replies(_ chunks: [String]) throws -> [RESPValue] {
        let reader = RESPReader()
        var replies: [RESPValue] = []
        for chunk in chunks {
            try reader.feed(ByteBuffer(string: chunk))
            while let reply = try reader.next() { replies.append(reply) }
        }
        return replies
    }

    @Test func decodesEveryRESP2Kind() throws {
        let all = try replies(["+OK\r\n-ERR boom\r\n:-42\r\n$3\r\nabc\r\n$-1\r\n*2\r\n:1\r\n*1\r\n$0\r\n\r\n*-1\r\n"])
        #expect(all == [
            .simpleString("OK"), .error("ERR boom"), .integer(-42), .bulkString(Array("abc".utf8)), .null,
            .array([.integer(1), .array([.bulkString([])])]), .null,
        ])
    }

    @Test func waitsForTheRestOfASplitReply() throws {
        #expect(try replies(["$5\r\nhe", "llo\r", "\n"]) == [.bulkString(Array("hello".utf8))])
        #expect(try replies(["*2\r\n:1\r\n"]) == [])
    }

    @Test func decodesAOneMebibyteValueFedInSmallChunks() throws {
        let value = String(repeating: "x", count: 1 << 20)
        let wire = "$\(value.utf8.count)\r\n\(value)\r\n"
        let chunks = stride(from: 0, to: wire.utf8.count, by: 16_384).map { start in
            String(wire.utf8.dropFirst(start).prefix(16_384))!
        }
        #expect(try replies(chunks) == [.bulkString(Array(value.utf8))])
    }

    @Test func rejectsBytesThatAreNotRESP() {
        #expect(throws: RedisError.self) { try replies(["?what\r\n"]) }
    }
}
