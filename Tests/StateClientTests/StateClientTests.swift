import Foundation
import StateClient
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct StateClientTests {
    struct Basket: Codable, Equatable, Sendable {
        var items: [String]
    }

    @Test func prefixesKeysWithTheAppIDByDefault() async throws {
        let store = MemoryStateStore()
        let basket = StateClient(store: store, storeName: "statestore", appID: "basket-api")
        try await basket.save("alice", Basket(items: ["mug"]))
        #expect(try await store.get("basket-api||alice", consistency: .eventual) != nil)
        #expect(try await basket.get("alice", as: Basket.self)?.value == Basket(items: ["mug"]))
    }

    @Test func aStoredValueThatDoesNotDecodeIsAStoreFailure() async throws {
        let basket = StateClient(store: MemoryStateStore(), storeName: "statestore", appID: "basket-api")
        try await basket.save("alice", bytes: Array(#"{"items":42}"#.utf8))
        await #expect { try await basket.get("alice", as: Basket.self) } throws: { ($0 as? StateError)?.code == .storeFailure }
    }

    @Test(arguments: [
        (KeyPrefix.appID, "basket-api||k"), (.storeName, "statestore||k"), (.none, "k"), (.custom("shared"), "shared||k"),
    ])
    func followsDaprsPrefixStrategies(prefix: KeyPrefix, stored: String) async throws {
        let store = MemoryStateStore()
        let client = StateClient(store: store, storeName: "statestore", appID: "basket-api", keyPrefix: prefix)
        try await client.save("k", bytes: Array("1".utf8))
        #expect(try await store.get(stored, consistency: .eventual)?.value == Array("1".utf8))
        #expect(try await client.keys().keys == ["k"])
    }

    @Test func readsDaprsKeyPrefixMetadata() {
        #expect(KeyPrefix(metadata: "appid") == .appID)
        #expect(KeyPrefix(metadata: "") == .appID)
        #expect(KeyPrefix(metadata: "name") == .storeName)
        #expect(KeyPrefix(metadata: "NONE") == .none)
        #expect(KeyPrefix(metadata: "team") == .custom("team"))
    }

    @Test func rejectsEmptyKeysAndTheSeparatorWithDaprsMessage() async {
        let client = StateClient(store: MemoryStateStore(), storeName: "s", appID: "a")
        #expect(throws: StateError(.invalidRequest, "input key/keyPrefix 'a||b' can't contain '||'")) { try client.storedKey("a||b") }
        #expect(throws: StateError(.invalidRequest, "\"key\" is a required field")) { try client.storedKey("") }
        await #expect { try await client.keys(prefix: "x||") } throws: { ($0 as? StateError)?.code == .invalidRequest }
    }

    @Test func appliesTheComponentsDefaultTTLUnlessTheSaveGivesOne() async throws {
        let client = StateClient(store: MemoryStateStore(), storeName: "s", appID: "a", defaultTTLInSeconds: 60)
        try await client.save("default", bytes: [0x31])
        try await client.save("forever", bytes: [0x31], options: SaveOptions(ttlInSeconds: -1))
        #expect(try await client.get("default")?.expiresAt != nil)
        #expect(try await client.get("forever")?.expiresAt == nil)
    }

    @Test func expiresByTheStoresClock() async throws {
        let clock = TestClock()
        let client = StateClient(store: MemoryStateStore(now: clock.now), storeName: "s", appID: "a")
        try await client.save("k", bytes: [0x31], options: SaveOptions(ttlInSeconds: 30))
        clock.advance(by: 29)
        #expect(try await client.get("k") != nil)
        clock.advance(by: 1)
        #expect(try await client.get("k") == nil)
    }

    @Test func keepsANewETagAfterDeleteAndRecreate() async throws {
        let client = StateClient(store: MemoryStateStore(), storeName: "s", appID: "a")
        try await client.save("k", bytes: [0x31])
        let first = try #require(try await client.get("k")).etag
        try await client.delete("k")
        try await client.save("k", bytes: [0x31])
        #expect(try await client.get("k")?.etag != first)
    }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    func advance(by seconds: TimeInterval) { current.withLock { $0.addTimeInterval(seconds) } }
    var now: @Sendable () -> Date { { self.current.withLock { $0 } } }
}
