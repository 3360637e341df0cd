import TestSupport
import Foundation
import Logging
import Testing

@testable import StateFolder

@Suite("State folder: resolution, layout, quota")
struct StateFolderTests {
    @Test("a relative STATE_DIR is made absolute, created, and announced once at INFO")
    func resolution() throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let log = CapturedLog()

        let folder = try StateFolder.open(path: "nested/../nested/state", relativeTo: temporary.path, consumerGroup: "model-worker", logger: log.logger())

        let expected = URL(fileURLWithPath: temporary.path).appendingPathComponent("nested/state").standardizedFileURL.path
        #expect(folder.root.path == expected)
        #expect(FileManager.default.fileExists(atPath: expected + "/model-worker"))
        #expect(log.messages(at: .info) == ["Initializing state directory at \"\(expected)/model-worker\""])
    }

    @Test("a state folder that is a regular file is a clear error")
    func regularFile() throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let file = temporary.url.appendingPathComponent("state")
        try Data("x".utf8).write(to: file)

        let error = #expect(throws: StateFolderError.self) {
            try StateFolder.open(path: file.path, consumerGroup: "g", logger: CapturedLog().logger())
        }
        #expect(error?.code == .unusableFolder)
        #expect(error?.message == "the state folder \"\(file.path)\" (STATE_DIR) is a file, not a folder")
    }

    @Test("keyed state lives under <state>/<group>/<store>/<stream>, models under <state>/models; clearing a group keeps models")
    func layout() throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let folder = try StateFolder.open(path: temporary.path, consumerGroup: "model-worker", logger: CapturedLog().logger())
        #expect(folder.storeFolder(store: "bought-together", stream: "OrderStatusChangedToPaid").path
            == temporary.path + "/model-worker/bought-together/OrderStatusChangedToPaid")
        #expect(folder.modelsFolder.path == temporary.path + "/models")

        let store = folder.storeFolder(store: "s", stream: "t")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.modelsFolder, withIntermediateDirectories: true)
        try Data("model".utf8).write(to: folder.modelsFolder.appendingPathComponent("m.bin"))
        var inUse: GroupInUse? = try folder.markInUse()
        let refusal = #expect(throws: StateFolderError.self) { try folder.clearGroup(CapturedLog().logger()) }
        #expect(refusal?.code == .lockUnavailable)
        #expect(FileManager.default.fileExists(atPath: store.path))
        inUse = nil
        withExtendedLifetime(inUse) {}
        let log = CapturedLog()
        try folder.clearGroup(log.logger())
        #expect(!FileManager.default.fileExists(atPath: folder.groupFolder.path))
        #expect(FileManager.default.fileExists(atPath: folder.modelsFolder.appendingPathComponent("m.bin").path))
        #expect(log.messages(at: .info) == ["Removing state folder at \"\(folder.groupFolder.path)\""])
    }

    @Test("the quota refuses a write that would pass it, naming the sizes")
    func quota() throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        try Data(count: 600).write(to: temporary.url.appendingPathComponent("a"))
        let quota = StateQuota(root: temporary.url, limitBytes: 1_000)
        #expect(quota.usedBytes() == 600)
        try quota.check(adding: 400, for: "x")
        let error = #expect(throws: StateFolderError.self) { try quota.check(adding: 401, for: "downloading m.bin") }
        #expect(error?.code == .quotaExceeded)
        #expect(
            error?.message == "the state folder quota would be exceeded: downloading m.bin needs 401 bytes, 600 bytes are used, "
                + "and the quota is 1000 bytes (STATE_QUOTA_BYTES)")
    }
}

@Suite("State folder: locks between replicas")
struct FolderLockTests {
    @Test("one owner at a time; the lock is free again once released")
    func exclusive() throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let first = try #require(try FolderLock.tryAcquire(temporary.url))
        #expect(try FolderLock.tryAcquire(temporary.url) == nil)
        #expect(FolderLock.isHeld(temporary.url))
        first.release()
        #expect(!FolderLock.isHeld(temporary.url))
        #expect(try FolderLock.tryAcquire(temporary.url) != nil)
    }

    @Test("a second replica retries a bounded number of times with a warning, then fails clearly", .timeLimit(.minutes(1)))
    func boundedWait() async throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let owner = try #require(try FolderLock.tryAcquire(temporary.url))
        let log = CapturedLog()
        await #expect {
            _ = try await FolderLock.acquire(temporary.url, policy: .init(attempts: 3, backoff: .milliseconds(20)), logger: log.logger())
        } throws: { error in
            let error = error as? StateFolderError
            return error?.code == .lockUnavailable
                && error?.message == "cannot acquire the lock on \"\(temporary.path)\": pid \(getpid()) holds it; gave up after 3 attempts 0.02 seconds apart"
        }
        let warnings = log.messages(at: .warning)
        #expect(warnings.count == 2)
        #expect(warnings.first == "Cannot acquire a lock on \"\(temporary.path)\" (held by pid \(getpid())) (attempt 1/3). Retrying in 0.02 seconds.")
        owner.release()
    }

    @Test("a waiting replica gets the lock once the owner releases it", .timeLimit(.minutes(1)))
    func takeOver() async throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let owner = try #require(try FolderLock.tryAcquire(temporary.url))
        let log = CapturedLog()
        let waiter = Task { try await FolderLock.acquire(temporary.url, policy: .init(attempts: 500, backoff: .milliseconds(10)), logger: log.logger()) }
        while log.messages(at: .warning).isEmpty { await Task.yield() }
        owner.release()
        let lock = try await waiter.value
        #expect(FolderLock.isHeld(lock.folder))
    }

    @Test("shutdown interrupts the wait", .timeLimit(.minutes(1)))
    func interrupted() async throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let owner = try #require(try FolderLock.tryAcquire(temporary.url))
        let log = CapturedLog()
        let waiter = Task { try await FolderLock.acquire(temporary.url, policy: .init(attempts: 1_000, backoff: .seconds(30)), logger: log.logger()) }
        while log.messages(at: .warning).isEmpty { await Task.yield() }
        waiter.cancel()
        await #expect {
            _ = try await waiter.value
        } throws: { error in
            (error as? StateFolderError)?.code == .stopped
        }
        owner.release()
    }
}
