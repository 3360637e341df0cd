import Foundation
import HTTPTypes
import HummingbirdTesting
import StateClient
import Testing

@testable import StateSidecar

/// The sidecar's own endpoints and what only the in-memory store shows.
@Suite(.timeLimit(.minutes(1))) struct SidecarEndpointTests {
    @Test func healthzIsNoContent() async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            #expect(try await sidecar.send(.get, "/v1.0/healthz").status == .noContent)
        }
    }

    @Test func metadataListsTheAppAndItsComponents() async throws {
        try await withSidecar(["statestore": MemoryStateStore(), "other": FailingStore(error: SurpriseError())], appID: "shop") { (sidecar: Sidecar) async throws in
            let response = try await sidecar.send(.get, "/v1.0/metadata")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.json?.value(at: "id") == .string("shop"))
            guard case .array(let components)? = response.json?.value(at: "components") else {
                Issue.record("no components: \(response.text)")
                return
            }
            #expect(components.map { $0.value(at: "name") } == [.string("other"), .string("statestore")])
            #expect(components.last?.value(at: "type") == .string("state.in-memory"))
            #expect(components.last?.value(at: "capabilities") == json(#"["ETAG","TRANSACTIONAL","TTL","QUERY_API","KEYS_LIKE","ACTOR"]"#))
        }
    }

    @Test func keysAreThoseOfTheSidecarsApp() async throws {
        let store = MemoryStateStore()
        let other = StateClient(store: store, storeName: "statestore", appID: "someone-else")
        try await other.save("theirs", bytes: Array("1".utf8))
        try await withSidecar(["statestore": store], appID: "mine") { (sidecar: Sidecar) async throws in
            try await sidecar.save(#"[{"key":"ours","value":1}]"#)
            let keys = try await sidecar.send(.get, "/v1.0-alpha1/state/statestore/keys")
            #expect(keys.json?.value(at: "keys") == json(#"["ours"]"#))
            #expect(try await sidecar.get("theirs").status == .noContent)
        }
        #expect(try await store.get("mine||ours", consistency: .eventual) != nil)
    }

    @Test func urlMetadataAppliesToEveryTransactionOperation() async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            let body = #"{"operations":[{"operation":"upsert","request":{"key":"a","value":1}},{"operation":"upsert","request":{"key":"b","value":2}}]}"#
            let response = try await sidecar.send(.post, "/v1.0/state/statestore/transaction?metadata.ttlInSeconds=100", body)
            #expect(response.status == .noContent)
            #expect(try await sidecar.get("a").headers[.ttlExpireTime] != nil)
            #expect(try await sidecar.get("b").headers[.ttlExpireTime] != nil)
        }
    }

    @Test func valuesAreStoredAsTheirJSONText() async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            try await sidecar.save(#"[{"key":"n","value":12345678901234567890.5},{"key":"s","value":"1"},{"key":"z","value":null},{"key":"u","vae":"x"}]"#)
            #expect(try await sidecar.get("n").text == "12345678901234567890.5")
            let string = try await sidecar.get("s")
            #expect(string.text == #""1""#)
            #expect(try await sidecar.get("z").text == "null")
            #expect(try await sidecar.get("u").text == "null")  // unknown fields are ignored, as in Dapr
            #expect(try await sidecar.save(#"[{"key":"c","value":"a,]\\\",}"}]"#).status == .noContent)
            #expect(try await sidecar.get("c").json == .string(#"a,]\",}"#))
        }
    }

    /// Bodies over 64 KiB are parsed on NIOThreadPool (issue 12, class 10): the same answers.
    @Test func largeBodiesAreParsedOffTheEventLoopWithTheSameResult() async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            let big = String(repeating: "0123456789", count: 20_000)  // 200 KB
            #expect(try await sidecar.save(#"[{"key":"big","value":{"text":"\#(big)","n":1e300}}]"#).status == .noContent)
            #expect(try await sidecar.get("big").text == #"{"text":"\#(big)","n":1e300}"#)
            let transaction = #"{"operations":[{"operation":"upsert","request":{"key":"t","value":"\#(big)"}}]}"#
            #expect(try await sidecar.send(.post, "/v1.0/state/statestore/transaction", transaction).status == .noContent)
            #expect(try await sidecar.get("t").text == #""\#(big)""#)
            let malformed = try await sidecar.save(#"[{"key":"x","value":"\#(big)"},]"#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "ERR_MALFORMED_REQUEST")
        }
    }
}
