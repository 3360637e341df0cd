import Foundation
import RedisClient
import StateClient
import StateStores
import TestSupport
import Testing

/// What is particular to ``HTTPStateStore`` beyond the conformance suite: talking to a sidecar
/// process, sharing data with services that use the store directly, and its errors.
@Suite(.redisReachable, .timeLimit(.minutes(1))) struct HTTPStateStoreTests {
    private func withRedisSidecar(_ body: (TestSidecar) async throws -> Void) async throws {
        let appID = "http-\(UUID().uuidString.prefix(8))"
        try await TestSidecar.with(appID: appID, components: ["statestore.yaml": TestSidecar.redisComponent()], body)
    }

    @Test func discoversTheComponentsCapabilities() async throws {
        try await withRedisSidecar { sidecar in
            let store = try await HTTPStateStore.discover(.init(baseURL: sidecar.baseURL, storeName: "statestore"))
            #expect(store.capabilities == [.etag, .transactional, .ttl, .keys])
            await #expect { try await HTTPStateStore.discover(.init(baseURL: sidecar.baseURL, storeName: "nope")) } throws: { error in
                (error as? StateError)?.code == .invalidRequest
            }
        }
    }

    @Test func sharesDataWithAServiceUsingRedisDirectly() async throws {
        try await withRedisSidecar { sidecar in
            let viaSidecar = try await HTTPStateStore.discover(.init(baseURL: sidecar.baseURL, storeName: "statestore")).client(appID: sidecar.appID)
            try await withRedisStateStore { store, _ in
                let direct = StateClient(store: store, storeName: "statestore", appID: sidecar.appID)
                try await viaSidecar.save("a/b c", bytes: json(#"{"from":"sidecar"}"#))
                #expect(try await direct.get("a/b c")?.value == json(#"{"from":"sidecar"}"#))
                try await direct.save("k", bytes: json("2"), options: SaveOptions(ttlInSeconds: 100))
                let entry = try #require(try await viaSidecar.get("k"))
                #expect(entry.value == json("2"))
                #expect(entry.etag == (try await direct.get("k"))?.etag)
                #expect(entry.expiresAt != nil)
            }
        }
    }

    @Test func reportsPerKeyFailuresOfABulkGet() async throws {
        try await withRedisSidecar { sidecar in
            let state = try await HTTPStateStore.discover(.init(baseURL: sidecar.baseURL, storeName: "statestore")).client(appID: sidecar.appID)
            try await state.save("good", bytes: json("1"))
            try await TestRedis.withClient { redis in _ = try await redis.send(RedisCommand("SET", "\(sidecar.appID)||bad", "plain string")) }
            let result = try await state.bulkGetEach(["good", "bad", "absent"])
            #expect(Set(result.entries.keys) == ["good"])
            #expect(result.failures["bad"]?.message.contains("is a Redis string") == true)
            await #expect { try await state.bulkGet(["good", "bad"]) } throws: { ($0 as? StateError)?.code == .storeFailure }
        }
    }

    @Test func refusesValuesThatAreNotJSONWithoutSendingThem() async throws {
        let store = HTTPStateStore(.init(baseURL: "http://127.0.0.1:1", storeName: "statestore"))
        await #expect { try await store.client(appID: "a").save("k", bytes: [0xFF, 0x00]) } throws: { error in
            (error as? StateError)?.code == .invalidRequest
        }
    }

    @Test func reportsASidecarThatDoesNotAnswerAsUnavailable() async throws {
        let port = try await TestRedis.freePort()
        let store = HTTPStateStore(.init(baseURL: "http://127.0.0.1:\(port)", storeName: "statestore", timeout: .seconds(2)))
        await #expect { try await store.client(appID: "a").get("k") } throws: { ($0 as? StateError)?.code == .unavailable }
        await #expect { try await HTTPStateStore.discover(store.configuration) } throws: { ($0 as? StateError)?.code == .unavailable }
    }
}
