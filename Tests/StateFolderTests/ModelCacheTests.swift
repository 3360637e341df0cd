import TestSupport
import Foundation
import Logging
import Testing

@testable import StateFolder

/// The model cache against the real model store process, with small generated files.
@Suite("Model cache", .serialized)
struct ModelCacheTests {
    static let files: [String: [UInt8]] = ["weights.bin": ModelStoreFixture.randomBytes(3 << 20), "config.json": Array(#"{"dim":4}"#.utf8)]

    func stateFolder(_ temporary: TemporaryFolder, quota: Int64 = StateFolder.defaultQuotaBytes) throws -> StateFolder {
        try StateFolder.open(path: temporary.path, consumerGroup: "g", quotaBytes: quota, logger: CapturedLog().logger())
    }

    @Test("downloads once; a restart verifies and downloads nothing again", .timeLimit(.minutes(1)))
    func downloadOnce() async throws {
        let store = try await ModelStoreFixture.start(files: Self.files)
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let manifest = ModelStoreFixture.manifest(files: Self.files)

        let files = try await ModelCache(stateFolder: stateFolder(temporary), logger: CapturedLog().logger()).prepare(manifest, baseURL: store.baseURL())
        #expect(try Data(contentsOf: files.url(for: "weights.bin")) == Data(Self.files["weights.bin"]!))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: temporary.path + "/models/tiny/current") == "v1")
        #expect(try await store.requests().filter { $0.method == "GET" }.count == 2)

        let restarted = try await ModelCache(stateFolder: stateFolder(temporary), logger: CapturedLog().logger()).prepare(manifest, baseURL: store.baseURL())
        #expect(restarted.folder == files.folder)
        #expect(try await store.requests().filter { $0.method == "GET" }.count == 2)
        await store.stop()
    }

    @Test("an interrupted download resumes with a Range request from the byte where it stopped", .timeLimit(.minutes(1)))
    func resume() async throws {
        let store = try await ModelStoreFixture.start(files: Self.files)
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let manifest = ModelStoreFixture.manifest(files: Self.files)
        let version = temporary.url.appendingPathComponent("models/tiny/v1", isDirectory: true)
        try FileManager.default.createDirectory(at: version, withIntermediateDirectories: true)
        try Data(Self.files["weights.bin"]!.prefix(1_234_567)).write(to: version.appendingPathComponent("weights.bin.partial"))

        let files = try await ModelCache(stateFolder: stateFolder(temporary), logger: CapturedLog().logger()).prepare(manifest, baseURL: store.baseURL())
        #expect(try Data(contentsOf: files.url(for: "weights.bin")) == Data(Self.files["weights.bin"]!))
        #expect(!FileManager.default.fileExists(atPath: version.appendingPathComponent("weights.bin.partial").path))
        #expect(try await store.requests().contains(.init(method: "GET", path: "/tiny/weights.bin", range: "bytes=1234567-", status: "206")))
        await store.stop()
    }

    @Test("a corrupted file (one byte flipped) is detected, logged and replaced", .timeLimit(.minutes(1)))
    func corruption() async throws {
        let store = try await ModelStoreFixture.start(files: Self.files)
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let manifest = ModelStoreFixture.manifest(files: Self.files)
        let files = try await ModelCache(stateFolder: stateFolder(temporary), logger: CapturedLog().logger()).prepare(manifest, baseURL: store.baseURL())
        var bytes = try Data(contentsOf: files.url(for: "weights.bin"))
        bytes[1_000] ^= 0xFF
        try bytes.write(to: files.url(for: "weights.bin"))

        let log = CapturedLog()
        _ = try await ModelCache(stateFolder: stateFolder(temporary), logger: log.logger()).prepare(manifest, baseURL: store.baseURL())
        #expect(try Data(contentsOf: files.url(for: "weights.bin")) == Data(Self.files["weights.bin"]!))
        let warning = try #require(log.all.first { $0.level == .warning })
        #expect(warning.message == "model file is corrupt; downloading it again")
        #expect(warning.metadata["model.file"] == "weights.bin")
        #expect(try await store.requests().filter { $0.path == "/tiny/weights.bin" }.count == 2)
        await store.stop()
    }

    @Test("a checksum that never matches is retried a bounded number of times, then fails clearly, leaving no file", .timeLimit(.minutes(1)))
    func mismatch() async throws {
        let store = try await ModelStoreFixture.start(files: Self.files)
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        var manifest = ModelStoreFixture.manifest(files: Self.files)
        manifest.files[1].sha256 = String(repeating: "0", count: 64)  // weights.bin (sorted after config.json)

        await #expect {
            _ = try await ModelCache(stateFolder: stateFolder(temporary), maximumAttempts: 3, logger: CapturedLog().logger())
                .prepare(manifest, baseURL: store.baseURL())
        } throws: { error in
            let error = error as? StateFolderError
            return error?.code == .downloadFailed && error?.message.contains("after 3 attempts") == true
                && error?.message.contains("the checksum of weights.bin is \(ModelStoreFixture.sha256(Self.files["weights.bin"]!))") == true
        }
        #expect(try await store.requests().filter { $0.path == "/tiny/weights.bin" }.count == 3)
        let left = try FileManager.default.contentsOfDirectory(atPath: temporary.path + "/models/tiny/v1")
        #expect(!left.contains { $0.hasPrefix("weights.bin") })
        #expect(!FileManager.default.fileExists(atPath: temporary.path + "/models/tiny/current"))
        await store.stop()
    }

    @Test("a quota smaller than the model fails before downloading, naming the sizes, leaving no partial file", .timeLimit(.minutes(1)))
    func quota() async throws {
        let store = try await ModelStoreFixture.start(files: Self.files)
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let manifest = ModelStoreFixture.manifest(files: Self.files)

        await #expect {
            _ = try await ModelCache(stateFolder: stateFolder(temporary, quota: 1 << 20), logger: CapturedLog().logger())
                .prepare(manifest, baseURL: store.baseURL())
        } throws: { error in
            let error = error as? StateFolderError
            return error?.code == .quotaExceeded
                && error?.message.hasPrefix("the state folder quota would be exceeded: downloading weights.bin (3145728 bytes) needs 3145728 bytes") == true
                && error?.message.hasSuffix("and the quota is 1048576 bytes (STATE_QUOTA_BYTES)") == true
        }
        let requests = try await store.requests()
        #expect(!requests.contains { $0.path == "/tiny/weights.bin" })
        let left = try FileManager.default.contentsOfDirectory(atPath: temporary.path + "/models/tiny/v1")
        #expect(!left.contains { $0.hasPrefix("weights.bin") })
        await store.stop()
    }

    @Test("replicas preparing at once: exactly one downloads, the others wait and use its files", .timeLimit(.minutes(1)))
    func oneDownloader() async throws {
        let store = try await ModelStoreFixture.start(files: Self.files)
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let manifest = ModelStoreFixture.manifest(files: Self.files)
        let folder = try stateFolder(temporary)
        let policy = FolderLock.WaitPolicy(attempts: 1_000, backoff: .milliseconds(10))

        let prepared = try await withThrowingTaskGroup(of: URL.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    try await ModelCache(stateFolder: folder, lockPolicy: policy, logger: CapturedLog().logger()).prepare(manifest, baseURL: store.baseURL()).folder
                }
            }
            return try await group.reduce(into: [URL]()) { $0.append($1) }
        }
        #expect(Set(prepared).count == 1)
        #expect(try await store.requests().filter { $0.path == "/tiny/weights.bin" }.count == 1)
        await store.stop()
    }

    @Test("a new manifest version is prepared beside the old one, switched to, and the old one removed once unused", .timeLimit(.minutes(1)))
    func newVersion() async throws {
        let store = try await ModelStoreFixture.start(files: Self.files)
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let cache = ModelCache(stateFolder: try stateFolder(temporary), logger: CapturedLog().logger())
        var old: ModelFiles? = try await cache.prepare(ModelStoreFixture.manifest(version: "v1", files: Self.files), baseURL: store.baseURL())
        let oldFolder = try #require(old?.folder)

        let new = try await cache.prepare(ModelStoreFixture.manifest(version: "v2", files: Self.files), baseURL: store.baseURL())
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: temporary.path + "/models/tiny/current") == "v2")
        #expect(FileManager.default.fileExists(atPath: oldFolder.appendingPathComponent("weights.bin").path))  // still in use

        old = nil
        _ = try await cache.prepare(ModelStoreFixture.manifest(version: "v2", files: Self.files), baseURL: store.baseURL())
        #expect(!FileManager.default.fileExists(atPath: oldFolder.path))
        #expect(FileManager.default.fileExists(atPath: new.url(for: "weights.bin").path))
        withExtendedLifetime(old) {}
        await store.stop()
    }
}
