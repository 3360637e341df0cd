import Foundation
import GRPCCore
import HTTPTypes
import StateClient
import Testing

@testable import StateSidecar

/// Dapr's gRPC state API of the sidecar, in process over the memory store; the same calls from
/// the official Python SDK against real Redis and PostgreSQL are in Tests/DaprSDKCompat.
@Suite(.timeLimit(.minutes(1))) struct GRPCStateTests {
    @Test func savedValueReadsBackWithItsETagAndAMissingKeyIsEmpty() async throws {
        try await withGRPCSidecar { dapr, _ in
            try await dapr.save("order", #"{"id":1}"#)
            let found = try await dapr.get("order")
            #expect(found.data == Data(#"{"id":1}"#.utf8))
            #expect(!found.etag.isEmpty)
            #expect(found.metadata.isEmpty)
            let missing = try await dapr.get("nothing-here")
            #expect(missing.data.isEmpty && missing.etag.isEmpty)
        }
    }

    @Test func staleETagIsAbortedAndABadOneInvalid() async throws {
        try await withGRPCSidecar { dapr, _ in
            try await dapr.save("k", "v1")
            let etag = try await dapr.get("k").etag
            try await dapr.save("k", "v2", etag: etag)
            #expect(await rpcCode { try await dapr.save("k", "v3", etag: etag) } == .aborted)
            #expect(await rpcCode { try await dapr.save("k", "v3", etag: "not-a-number") } == .invalidArgument)
            #expect(await rpcCode {
                _ = try await dapr.deleteState(.with { $0.storeName = "statestore"; $0.key = "k"; $0.etag = .with { $0.value = etag } })
            } == .aborted)
            #expect(try await dapr.get("k").data == Data("v2".utf8))
        }
    }

    @Test func unknownStoreEmptyKeyAndIllegalKeyAreInvalidArguments() async throws {
        try await withGRPCSidecar { dapr, _ in
            #expect(await rpcCode { _ = try await dapr.get("k", store: "nope") } == .invalidArgument)
            #expect(await rpcCode { try await dapr.save("", "v") } == .invalidArgument)
            #expect(await rpcCode { try await dapr.save("a||b", "v") } == .invalidArgument)
        }
    }

    @Test func unavailableStoreIsUnavailable() async throws {
        try await withGRPCSidecar(["statestore": FailingStore(error: StateError(.unavailable, "redis is down"))]) { dapr, _ in
            #expect(await rpcCode { _ = try await dapr.get("k") } == .unavailable)
            #expect(await rpcCode { try await dapr.save("k", "v") } == .unavailable)
        }
    }

    @Test func unexpectedStoreErrorIsInternalWithoutItsCause() async throws {
        try await withGRPCSidecar(["statestore": FailingStore(error: SurpriseError())]) { dapr, _ in
            do {
                _ = try await dapr.get("k")
                Issue.record("expected an error")
            } catch let error as RPCError {
                #expect(error.code == .internalError)
                #expect(!error.message.contains("Surprise"))
            }
        }
    }

    @Test func ttlMetadataExpiresTheItemAndIsReported() async throws {
        try await withGRPCSidecar { dapr, _ in
            try await dapr.save("short", "v", metadata: ["ttlInSeconds": "60"])
            let expiry = try #require(try await dapr.get("short").metadata["ttlExpireTime"])
            let date = try #require(try? Date(expiry, strategy: .iso8601))
            #expect(date > Date() && date < Date().addingTimeInterval(61))
            #expect(await rpcCode { try await dapr.save("bad", "v", metadata: ["ttlInSeconds": "soon"]) } == .invalidArgument)
            #expect(await rpcCode { try await dapr.save("bad", "v", metadata: ["ttlInSeconds": "0"]) } == .invalidArgument)
        }
    }

    @Test func jsonContentTypeNeedsJSON() async throws {
        try await withGRPCSidecar { dapr, _ in
            try await dapr.save("j", #"{"a":1}"#, metadata: ["contentType": "application/json"])
            #expect(await rpcCode { try await dapr.save("j", "{not json", metadata: ["contentType": "application/json"]) } == .invalidArgument)
            #expect(try await dapr.get("j").data == Data(#"{"a":1}"#.utf8))
        }
    }

    @Test func firstWriteConcurrencyRefusesAnOverwrite() async throws {
        try await withGRPCSidecar { dapr, _ in
            var item = Dapr_Proto_Common_V1_StateItem("fw", "1")
            item.options = .with { $0.concurrency = .concurrencyFirstWrite; $0.consistency = .consistencyStrong }
            _ = try await dapr.saveState(.with { $0.storeName = "statestore"; $0.states = [item] })
            #expect(await rpcCode { _ = try await dapr.saveState(.with { $0.storeName = "statestore"; $0.states = [item] }) } == .aborted)
        }
    }

    @Test func bulkGetAnswersEveryKeyInOrder() async throws {
        try await withGRPCSidecar { dapr, _ in
            _ = try await dapr.saveState(.with { $0.storeName = "statestore"; $0.states = [.init("b", "2"), .init("a", "1")] })
            let found = try await dapr.getBulkState(.with { $0.storeName = "statestore"; $0.keys = ["a", "missing", "b"]; $0.parallelism = 10 })
            #expect(found.items.map(\.key) == ["a", "missing", "b"])
            #expect(found.items.map { String(decoding: $0.data, as: UTF8.self) } == ["1", "", "2"])
            #expect(found.items[1].etag.isEmpty && !found.items[0].etag.isEmpty)
            #expect(await rpcCode {
                _ = try await dapr.getBulkState(.with { $0.storeName = "statestore"; $0.keys = ["a"]; $0.parallelism = -1 })
            } == .invalidArgument)
        }
    }

    @Test func deleteAndBulkDelete() async throws {
        try await withGRPCSidecar { dapr, _ in
            _ = try await dapr.saveState(.with { $0.storeName = "statestore"; $0.states = [.init("a", "1"), .init("b", "2"), .init("c", "3")] })
            _ = try await dapr.deleteState(.with { $0.storeName = "statestore"; $0.key = "a" })
            _ = try await dapr.deleteState(.with { $0.storeName = "statestore"; $0.key = "never-there" })
            _ = try await dapr.deleteBulkState(.with { $0.storeName = "statestore"; $0.states = [.init("b", ""), .init("c", "")] })
            for key in ["a", "b", "c"] { #expect(try await dapr.get(key).data.isEmpty) }
        }
    }

    @Test func transactionIsAllOrNothing() async throws {
        try await withGRPCSidecar { dapr, _ in
            try await dapr.save("old", "x")
            func operation(_ type: String, _ item: Dapr_Proto_Common_V1_StateItem) -> Dapr_Proto_Runtime_V1_TransactionalStateOperation {
                .with { $0.operationType = type; $0.request = item }
            }
            _ = try await dapr.executeStateTransaction(.with {
                $0.storeName = "statestore"
                $0.operations = [operation("upsert", .init("new", "y")), operation("delete", .init("old", ""))]
            })
            #expect(try await dapr.get("new").data == Data("y".utf8))
            #expect(try await dapr.get("old").data.isEmpty)

            let etag = try await dapr.get("new").etag
            try await dapr.save("new", "z")
            #expect(await rpcCode {
                _ = try await dapr.executeStateTransaction(.with {
                    $0.storeName = "statestore"
                    $0.operations = [operation("upsert", .init("other", "1")), operation("delete", .init("new", "", etag: etag))]
                })
            } == .aborted)
            #expect(try await dapr.get("other").data.isEmpty)
            #expect(await rpcCode {
                _ = try await dapr.executeStateTransaction(.with { $0.storeName = "statestore"; $0.operations = [operation("merge", .init("k", "v"))] })
            } == .invalidArgument)
        }
    }

    @Test func queryFiltersSortsAndPages() async throws {
        try await withGRPCSidecar { dapr, _ in
            for (key, city, n) in [("p1", "Paris", 3), ("p2", "Paris", 1), ("p3", "Lyon", 2), ("p4", "Paris", 2)] {
                try await dapr.save(key, #"{"city":"\#(city)","n":\#(n)}"#)
            }
            let query = #"{"filter":{"EQ":{"city":"Paris"}},"sort":[{"key":"n","order":"DESC"}],"page":{"limit":2}}"#
            let first = try await dapr.queryStateAlpha1(.with { $0.storeName = "statestore"; $0.query = query })
            #expect(first.results.map(\.key) == ["p1", "p4"])
            #expect(!first.token.isEmpty)
            let nextQuery = #"{"filter":{"EQ":{"city":"Paris"}},"sort":[{"key":"n","order":"DESC"}],"page":{"limit":2,"token":"\#(first.token)"}}"#
            let second = try await dapr.queryStateAlpha1(.with { $0.storeName = "statestore"; $0.query = nextQuery })
            #expect(second.results.map(\.key) == ["p2"])
            #expect(await rpcCode { _ = try await dapr.queryStateAlpha1(.with { $0.storeName = "statestore"; $0.query = "{" }) } == .invalidArgument)
        }
    }

    @Test func metadataNamesTheAppAndItsStores() async throws {
        try await withGRPCSidecar(appID: "metadata-app") { dapr, _ in
            let metadata = try await dapr.getMetadata(.init())
            #expect(metadata.id == "metadata-app")
            #expect(metadata.registeredComponents.map(\.name) == ["statestore"])
            #expect(metadata.registeredComponents.first?.capabilities.contains("ETAG") == true)
        }
    }

    @Test func valuesReadBackByteIdenticalAcrossGRPCAndHTTP() async throws {
        try await withGRPCSidecar { dapr, http in
            let bytes = "{\"name\":\"caf\u{e9}\",\"n\":1}  \n"
            try await dapr.save("from-grpc", bytes)
            let viaHTTP = try await http.get("from-grpc")
            #expect(viaHTTP.status == .ok)
            #expect(Array(buffer: viaHTTP.body) == Array(bytes.utf8))
            #expect(viaHTTP.headers[.eTag] == (try await dapr.get("from-grpc").etag))

            try await http.save(#"[{"key":"from-http","value":{"b":[1,2],"a":"x"}}]"#)
            let httpBytes = Array(buffer: try await http.get("from-http").body)
            #expect(try await dapr.get("from-http").data == Data(httpBytes))
        }
    }

    @Test func apiTokenIsRequiredOnGRPCAndHTTPButNotOnHealth() async throws {
        try await withGRPCSidecar(apiToken: "s3cret") { dapr, http in
            #expect(await rpcCode { _ = try await dapr.get("k") } == .unauthenticated)
            #expect(await rpcCode { _ = try await dapr.getState(.with { $0.storeName = "statestore"; $0.key = "k" }, metadata: tokenMetadata("wrong")) } == .unauthenticated)
            _ = try await dapr.saveState(.with { $0.storeName = "statestore"; $0.states = [.init("k", "v")] }, metadata: tokenMetadata("s3cret"))

            let refused = try await http.send(.get, "/v1.0/state/statestore/k")
            #expect(refused.status == .unauthorized)
            #expect(refused.errorCode == "ERR_API_TOKEN_INVALID")
            let accepted = try await http.send(.get, "/v1.0/state/statestore/k", headers: [HTTPField.Name("dapr-api-token")!: "s3cret"])
            #expect(accepted.status == .ok && accepted.text == "v")
            #expect(try await http.send(.get, "/v1.0/healthz").status == .noContent)
            #expect(try await http.send(.get, "/v1.0/healthz/outbound").status == .noContent)
        }
    }

    @Test func withoutATokenHealthzOutboundAnswers204() async throws {
        try await withGRPCSidecar { _, http in
            let response = try await http.send(.get, "/v1.0/healthz/outbound")
            #expect(response.status == .noContent)
        }
    }
}
