import Foundation
import HTTPTypes
import HummingbirdTesting
import StateClient
import Testing

@testable import StateSidecar

/// Client mistakes get Dapr's 4xx answers, never a 500; store trouble gets 500/503.
@Suite(.timeLimit(.minutes(1))) struct SidecarErrorTests {
    @Test(arguments: [
        (HTTPRequest.Method.post, "/v1.0/state/nope", "[]"), (.get, "/v1.0/state/nope/k", nil), (.delete, "/v1.0/state/nope/k", nil),
        (.post, "/v1.0/state/nope/bulk", "{}"), (.post, "/v1.0/state/nope/transaction", "{}"),
        (.post, "/v1.0-alpha1/state/nope/query", "{}"), (.get, "/v1.0-alpha1/state/nope/keys", nil),
    ] as [(HTTPRequest.Method, String, String?)])
    func unknownStoreIsNotFound(_ method: HTTPRequest.Method, _ uri: String, _ body: String?) async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            let response = try await sidecar.send(method, uri, body)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.errorCode == "ERR_STATE_STORE_NOT_FOUND")
            #expect(response.message == "state store nope is not found")
            #expect(response.reason == "DAPR_STATE_NOT_FOUND")
            #expect(response.details.first?.value(at: "domain") == .string("dapr.io"))
            #expect(response.details.first?.value(at: "metadata.appID") != nil)
        }
    }

    @Test func aSidecarWithoutStoresSaysNotConfigured() async throws {
        try await withSidecar([:]) { (sidecar: Sidecar) async throws in
            for (method, uri) in [(HTTPRequest.Method.get, "/v1.0/state/statestore/k"), (.post, "/v1.0/state/statestore/bulk")] {
                let response = try await sidecar.send(method, uri, "{}")
                #expect(response.status == .internalServerError)
                #expect(response.errorCode == "ERR_STATE_STORE_NOT_CONFIGURED")
                #expect(response.reason == "DAPR_STATE_NOT_CONFIGURED")
            }
        }
    }

    @Test(arguments: [
        "", "{}", "foobar", "[{\"key\":\"k\",}]", "[{\"key\":\"k\"},]", #"[{"key":1}]"#, #"[{"key":"k","etag":123}]"#,
        #"[{"key":"k","metadata":{"ttlInSeconds":60}}]"#, #"[{"key":"k","metadata":{"ttlInSeconds":"soon"}}]"#,
        #"[{"key":"k","metadata":{"ttlInSeconds":"0"}}]"#, #"[{"key":"k","options":{"concurrency":"sometimes"}}]"#,
        #"[{"value":1}]"#, #"[{"key":"","value":1}]"#,
    ])
    func malformedSavesAreBadRequests(_ body: String) async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            let response = try await sidecar.save(body)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "ERR_MALFORMED_REQUEST")
        }
    }

    @Test func aMissingKeyNamesTheField() async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            #expect(try await sidecar.save(#"[{"value":1}]"#).message == #""key" is a required field"#)
        }
    }

    @Test func keysWithTwoBarsAreRejected() async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            let save = try await sidecar.save(#"[{"key":"a||b","value":1}]"#)
            #expect(save.status == .badRequest)
            #expect(save.errorCode == "ERR_MALFORMED_REQUEST")
            #expect(save.message == "input key/keyPrefix 'a||b' can't contain '||'")
            #expect(save.reason == "DAPR_STATE_ILLEGAL_KEY")
            let types = save.details.compactMap { detail -> String? in
                if case .string(let type)? = detail.value(at: "@type") { type } else { nil }
            }
            #expect(types == ["ErrorInfo", "ResourceInfo", "BadRequest"].map { "type.googleapis.com/google.rpc.\($0)" })
            for uri in ["/v1.0/state/statestore/a%7C%7Cb", "/v1.0/state/statestore/a||b"] {
                #expect(try await sidecar.send(.get, uri).errorCode == "ERR_MALFORMED_REQUEST")
                #expect(try await sidecar.send(.delete, uri).errorCode == "ERR_MALFORMED_REQUEST")
            }
            let bulk = try await sidecar.send(.post, "/v1.0/state/statestore/bulk", #"{"keys":["a||b"]}"#)
            #expect(bulk.errorCode == "ERR_MALFORMED_REQUEST")
            let transaction = try await sidecar.send(
                .post, "/v1.0/state/statestore/transaction", #"{"operations":[{"operation":"upsert","request":{"key":"a||b"}}]}"#)
            #expect(transaction.errorCode == "ERR_MALFORMED_REQUEST")
            let keys = try await sidecar.send(.get, "/v1.0-alpha1/state/statestore/keys?prefix=a%7C%7C")
            #expect(keys.errorCode == "ERR_MALFORMED_REQUEST")
        }
    }

    @Test(arguments: [
        ("/v1.0/state/statestore/bulk", #"{"keys":"k"}"#), ("/v1.0/state/statestore/bulk", "[]"),
        ("/v1.0/state/statestore/bulk", "not json"), ("/v1.0/state/statestore/transaction", #"{"operations":{}}"#),
        ("/v1.0/state/statestore/transaction", #"{"operations":[{"operation":"upsert","request":{"key":["k"]}}]}"#),
        ("/v1.0/state/statestore/transaction", #"{"operations":[{"operation":"upsert","request":{"value":1}}]}"#),
        ("/v1.0/state/statestore/transaction", ""),
    ])
    func malformedBulkAndTransactionBodiesAreBadRequests(_ uri: String, _ body: String) async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            let response = try await sidecar.send(.post, uri, body)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "ERR_MALFORMED_REQUEST")
        }
    }

    @Test(arguments: ["limit=abc", "limit=0", "limit=1001", "limit=-1"])
    func badListKeysParametersAreBadRequests(_ query: String) async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            let response = try await sidecar.send(.get, "/v1.0-alpha1/state/statestore/keys?\(query)")
            #expect(response.status.code == 400, "\(response.text)")
        }
    }

    @Test func badConsistencyParameterIsABadRequest() async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            #expect(try await sidecar.get("k?consistency=sometimes").errorCode == "ERR_MALFORMED_REQUEST")
            #expect(try await sidecar.get("k?consistency=strong").status == .noContent)
        }
    }

    @Test func oversizeBodiesAreRejected() async throws {
        try await withSidecar(maxBodyBytes: 64) { (sidecar: Sidecar) async throws in
            let big = #"[{"key":"k","value":""# + String(repeating: "x", count: 100) + #""}]"#
            for uri in ["/v1.0/state/statestore", "/v1.0/state/statestore/bulk", "/v1.0/state/statestore/transaction", "/v1.0-alpha1/state/statestore/query"] {
                let response = try await sidecar.send(.post, uri, big)
                #expect(response.status == .contentTooLarge)
                #expect(response.errorCode == "ERR_BODY_READ")
            }
            #expect(try await sidecar.save(#"[{"key":"k","value":1}]"#).status == .noContent)
            #expect(try await sidecar.get("k").status == .ok)
        }
    }

    @Test func anUnavailableStoreAsksToRetry() async throws {
        try await withSidecar(["statestore": FailingStore(error: StateError(.unavailable, "redis is down"))]) { (sidecar: Sidecar) async throws in
            let response = try await sidecar.get("k")
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "1")
            #expect(response.errorCode == "ERR_STATE_GET")
            #expect(try await sidecar.save(#"[{"key":"k","value":1}]"#).status == .serviceUnavailable)
        }
    }

    @Test func storeFailuresAreServerErrorsWithTheOperationsCode() async throws {
        try await withSidecar(["statestore": FailingStore(error: StateError(.storeFailure, "disk full"))]) { (sidecar: Sidecar) async throws in
            let get = try await sidecar.get("k")
            #expect(get.status == .internalServerError)
            #expect(get.errorCode == "ERR_STATE_GET")
            #expect(get.message == "fail to get k from state store statestore: disk full")
            let save = try await sidecar.save(#"[{"key":"k","value":1},{"key":"j","value":1}]"#)
            #expect(save.status == .internalServerError)
            #expect(save.errorCode == "ERR_STATE_SAVE")
            let bulk = try await sidecar.send(.post, "/v1.0/state/statestore/bulk", #"{"keys":["k"]}"#)
            #expect(bulk.errorCode == "ERR_STATE_BULK_GET")
        }
    }

    @Test func unexpectedErrorsGetAGenericAnswer() async throws {
        try await withSidecar(["statestore": FailingStore(error: SurpriseError())]) { (sidecar: Sidecar) async throws in
            let response = try await sidecar.get("k")
            #expect(response.status == .internalServerError)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.errorCode == "ERR_INTERNAL")
            #expect(response.message?.contains("Surprise") == false)
        }
    }

    @Test func keysNamedLikeEndpointsAreReachable() async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            try await sidecar.save(#"[{"key":"bulk","value":1},{"key":"transaction","value":2}]"#)
            #expect(try await sidecar.get("bulk").text == "1")
            #expect(try await sidecar.get("transaction").text == "2")
            #expect(try await sidecar.send(.delete, "/v1.0/state/statestore/bulk").status == .noContent)
            #expect(try await sidecar.get("bulk").status == .noContent)
        }
    }

    @Test func requestsCarryARequestID() async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            #expect(try await sidecar.get("k").headers[.requestID] != nil)
        }
    }

    /// A routed path with a method it does not take: 405 with `Allow` and Dapr's error body.
    @Test func anUnsupportedMethodIs405WithAllow() async throws {
        try await withSidecar { (sidecar: Sidecar) async throws in
            let response = try await sidecar.send(.patch, "/v1.0/state/statestore/k")
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "DELETE, GET, HEAD")
            #expect(response.errorCode == "ERR_METHOD_NOT_ALLOWED")
        }
    }
}
