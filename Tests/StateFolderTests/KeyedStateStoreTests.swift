import TestSupport
import Foundation
import Logging
import Testing

@testable import StateFolder

@Suite("Keyed state (SQLite through GRDB)")
struct KeyedStateStoreTests {
    func open(_ temporary: TemporaryFolder, quota: Int64 = StateFolder.defaultQuotaBytes, lockPolicy: FolderLock.WaitPolicy = .init()) async throws
        -> KeyedStateStore
    {
        let folder = try StateFolder.open(path: temporary.path, consumerGroup: "g", quotaBytes: quota, logger: CapturedLog().logger())
        return try await KeyedStateStore.open(folder, store: "counts", stream: "orders", lockPolicy: lockPolicy, logger: CapturedLog().logger())
    }

    static let first = StreamEntryID("1700000000000-0")!
    static let second = StreamEntryID("1700000000001-5")!

    @Test("get/set/delete/exists per message key, with read-your-writes inside a checkpoint", .timeLimit(.minutes(1)))
    func operations() async throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let store = try await open(temporary)

        try await store.checkpoint(through: Self.first) { transaction in
            let a = transaction.state(forKey: "a")
            #expect(try a.get("count", default: 0) == 0)
            #expect(try !a.exists("count"))
            try a.set("count", 41)
            #expect(try a.get("count", default: 0) == 41)  // read-your-writes
            try a.set("count", try a.get("count", default: 0) + 1)
            try a.set("names", ["x", "y"])
            try a.set("nothing", String?.none)
            #expect(try a.exists("nothing"))  // a stored JSON null exists
            try a.delete("missing")  // a no-op
            #expect(try transaction.state(forKey: "b").get("count", default: -1) == -1)  // scoped by message key
        }
        try await store.checkpoint(through: Self.second) { transaction in
            let a = transaction.state(forKey: "a")
            #expect(try a.get("count", default: 0) == 42)
            #expect(try a.get("names", default: [String]()) == ["x", "y"])
            try a.delete("names")
            #expect(try !a.exists("names"))
        }
        #expect(try await store.lastProcessedEntryID() == Self.second)
        #expect(try await store.values(of: "a") == ["count": Data("42".utf8), "nothing": Data("null".utf8)])
        try store.close()
    }

    @Test("a failing checkpoint commits nothing: neither its changes nor its entry id", .timeLimit(.minutes(1)))
    func rollback() async throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let store = try await open(temporary)
        try await store.checkpoint(through: Self.first) { try $0.state(forKey: "a").set("count", 1) }

        struct Failure: Error {}
        await #expect(throws: Failure.self) {
            try await store.checkpoint(through: Self.second) { transaction in
                try transaction.state(forKey: "a").set("count", 2)
                throw Failure()
            }
        }
        #expect(try await store.lastProcessedEntryID() == Self.first)
        #expect(try await store.values(of: "a") == ["count": Data("1".utf8)])
        try store.close()
    }

    @Test("state and entry id survive reopening; a reader sees committed values", .timeLimit(.minutes(1)))
    func reopen() async throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let store = try await open(temporary)
        try await store.checkpoint(through: Self.first) { try $0.state(forKey: "a").set("count", 7) }
        try store.close()

        let reopened = try await open(temporary)
        #expect(try await reopened.lastProcessedEntryID() == Self.first)
        let folder = try StateFolder.open(path: temporary.path, consumerGroup: "g", logger: CapturedLog().logger())
        #expect(try await KeyedStateReader(folder, store: "counts", stream: "orders").values(of: "a") == ["count": Data("7".utf8)])
        #expect(try await KeyedStateReader(folder, store: "other", stream: "orders").values(of: "a") == [:])
        try reopened.close()
    }

    @Test("one owner per store: a second open waits, then fails clearly", .timeLimit(.minutes(1)))
    func oneOwner() async throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let store = try await open(temporary)
        await #expect {
            _ = try await open(temporary, lockPolicy: .init(attempts: 2, backoff: .milliseconds(10)))
        } throws: { error in
            (error as? StateFolderError)?.code == .lockUnavailable
        }
        try store.close()
    }

    @Test("a checkpoint that would pass the quota fails and commits nothing", .timeLimit(.minutes(1)))
    func quota() async throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let store = try await open(temporary, quota: 10 << 20)
        await #expect {
            try await store.checkpoint(through: Self.first) { transaction in
                try transaction.state(forKey: "a").set("big", String(repeating: "x", count: 11 << 20))
            }
        } throws: { error in
            (error as? StateFolderError)?.code == .quotaExceeded
        }
        #expect(try await store.lastProcessedEntryID() == nil)
        try store.close()
    }
}
