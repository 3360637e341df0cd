import Crypto
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A download's temporary file (`<name>.partial`, beside the final file), appended to and hashed
/// as bytes arrive. Every blocking call runs on NIO's thread pool, never on an event loop.
final class PartialFile: Sendable {
    let url: URL
    private let descriptor: Int32
    private let state: Mutex<(hasher: SHA256, size: Int64)>

    /// Opens (or creates) `url` for appending and hashes what it holds already, so a download
    /// resumes after a crash with the checksum of the whole file.
    static func open(_ url: URL) async throws -> PartialFile {
        try await NIOThreadPool.singleton.runIfActive {
            let descriptor = Foundation.open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw StateFolderError(.downloadFailed, "cannot open \"\(url.path)\": \(String(cString: strerror(errno)))") }
            do {
                let (hasher, size) = try hashContents(descriptor: descriptor, path: url.path)
                return PartialFile(url: url, descriptor: descriptor, hasher: hasher, size: size)
            } catch {
                close(descriptor)
                throw error
            }
        }
    }

    private init(url: URL, descriptor: Int32, hasher: SHA256, size: Int64) {
        self.url = url
        self.descriptor = descriptor
        self.state = Mutex((hasher, size))
    }

    deinit { close(descriptor) }

    /// The bytes written so far.
    var size: Int64 { state.withLock { $0.size } }

    /// Empties the file (the server ignored the range and sent the whole file).
    func truncate() async throws {
        try await NIOThreadPool.singleton.runIfActive {
            guard ftruncate(self.descriptor, 0) == 0 else { throw self.failure("truncate") }
            self.state.withLock { $0 = (SHA256(), 0) }
        }
    }

    /// Appends `buffer` and adds it to the checksum.
    func append(_ buffer: ByteBuffer) async throws {
        try await NIOThreadPool.singleton.runIfActive {
            try self.state.withLock { state in
                try buffer.withUnsafeReadableBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let written = pwrite(self.descriptor, bytes.baseAddress! + offset, bytes.count - offset, off_t(state.size) + off_t(offset))
                        guard written > 0 else { throw self.failure("write") }
                        offset += written
                    }
                    state.hasher.update(bufferPointer: bytes)
                }
                state.size += Int64(buffer.readableBytes)
            }
        }
    }

    /// Flushes the file to disk (`fsync`) and returns its SHA-256 as lowercase hex.
    func sync() async throws -> String {
        try await NIOThreadPool.singleton.runIfActive {
            guard fsync(self.descriptor) == 0 else { throw self.failure("fsync") }
            return Self.hex(self.state.withLock { $0.hasher }.finalize())
        }
    }

    /// The SHA-256 of the file at `url` as lowercase hex, read in 1 MiB chunks.
    static func sha256(of url: URL) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive {
            let descriptor = Foundation.open(url.path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw StateFolderError(.downloadFailed, "cannot open \"\(url.path)\": \(String(cString: strerror(errno)))") }
            defer { close(descriptor) }
            return hex(try hashContents(descriptor: descriptor, path: url.path).hasher.finalize())
        }
    }

    private static func hashContents(descriptor: Int32, path: String) throws -> (hasher: SHA256, size: Int64) {
        var hasher = SHA256()
        var size: Int64 = 0
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = pread(descriptor, chunk.baseAddress, chunk.count, off_t(size))
            guard count >= 0 else { throw StateFolderError(.downloadFailed, "cannot read \"\(path)\": \(String(cString: strerror(errno)))") }
            if count == 0 { return (hasher, size) }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            size += Int64(count)
        }
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }

    private func failure(_ operation: String) -> StateFolderError {
        StateFolderError(.downloadFailed, "cannot \(operation) \"\(url.path)\": \(String(cString: strerror(errno)))")
    }
}
