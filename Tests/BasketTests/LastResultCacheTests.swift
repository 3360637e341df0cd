import Synchronization
import Testing

@testable import Basket

@Suite struct LastResultCacheTests {
    @Test func computesOnlyForAnInputItHasNotJustSeenForThatKey() {
        let cache = LastResultCache<[UInt8], String>()
        let computed = Mutex(0)
        func text(_ key: String, _ bytes: [UInt8]) -> String {
            cache.result(for: key, input: bytes) { input in
                computed.withLock { $0 += 1 }
                return String(decoding: input, as: UTF8.self)
            }
        }
        #expect(text("alice", Array("one".utf8)) == "one")
        #expect(text("alice", Array("one".utf8)) == "one")
        #expect(computed.withLock { $0 } == 1)
        #expect(text("alice", Array("two".utf8)) == "two")
        #expect(text("bob", Array("one".utf8)) == "one")
        #expect(text("alice", Array("one".utf8)) == "one")
        #expect(computed.withLock { $0 } == 4)
    }

    @Test func aFailedComputationKeepsNothing() throws {
        struct Refused: Error {}
        let cache = LastResultCache<Int, Int>()
        #expect(throws: Refused.self) { try cache.result(for: "alice", input: 1) { _ in throw Refused() } }
        #expect(cache.count == 0)
        #expect(cache.result(for: "alice", input: 1) { $0 + 1 } == 2)
    }

    @Test func holdsAtMostItsCapacity() {
        let cache = LastResultCache<Int, Int>(capacity: 3)
        for (index, key) in ["a", "b", "c", "d", "e"].enumerated() {
            #expect(cache.result(for: key, input: index) { $0 * 2 } == index * 2)
            #expect(cache.count <= 3)
        }
    }
}
