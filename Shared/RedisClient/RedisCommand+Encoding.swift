import CHiredis
import NIOCore

extension RedisCommand {
    /// Appends this command in RESP form to `buffer`, formatted by hiredis'
    /// `redisFormatCommandArgv` (pure computation: no I/O, safe on any thread).
    func encode(into buffer: inout ByteBuffer) throws(RedisError) {
        let lengths = arguments.map(\.count)
        let flat = arguments.flatMap { $0 }
        var formatted: UnsafeMutablePointer<CChar>?
        let length: Int32 = flat.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress)
            var offset = 0
            var argv: [UnsafePointer<CChar>?] = []
            argv.reserveCapacity(lengths.count)
            for count in lengths {
                // An empty argument still needs a valid (never dereferenced) pointer.
                argv.append((base ?? UnsafeRawPointer(bitPattern: 1)!)
                    .advanced(by: offset).assumingMemoryBound(to: CChar.self))
                offset += count
            }
            return argv.withUnsafeMutableBufferPointer { argvPointer in
                lengths.withUnsafeBufferPointer { lengthsPointer in
                    redisFormatCommandArgv(
                        &formatted, Int32(lengths.count), argvPointer.baseAddress, lengthsPointer.baseAddress)
                }
            }
        }
        guard length >= 0, let formatted else {
            throw RedisError(.protocolError, "hiredis could not format \(name)")
        }
        defer { redisFreeCommand(formatted) }
        buffer.writeBytes(UnsafeRawBufferPointer(start: formatted, count: Int(length)))
    }

    /// Encodes several commands back to back, as one write for a pipeline.
    static func encode(_ commands: [RedisCommand]) throws(RedisError) -> ByteBuffer {
        var buffer = ByteBuffer()
        for command in commands { try command.encode(into: &buffer) }
        return buffer
    }
}
