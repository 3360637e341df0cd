import Foundation
import HTTPTypes
import Hummingbird
import StateClient

/// The alpha endpoints: Dapr's query, and our list-keys extension.
extension StateController {
    /// `/v1.0-alpha1/state/{store}/query` (POST, PUT) and `/v1.0-alpha1/state/{store}/keys` (GET).
    var alphaEndpoints: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        let state = routes.group("v1.0-alpha1/state")
        state.post(":store/query", use: query)
        state.put(":store/query", use: query)
        state.get(":store/keys", use: keys)
        return routes
    }

    /// `POST|PUT /v1.0-alpha1/state/{store}/query`: 200 `{"results":[{"key","data","etag"}],"token"}`
    /// over the caller's keys only; 204 when nothing matches. A store without query → 400
    /// `ERR_STATE_STORE_NOT_SUPPORTED` (Dapr: 500); an invalid query → 400 `ERR_STATE_QUERY` (Dapr: 500).
    @Sendable func query(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let client = try client(context)
        guard client.store.capabilities.contains(.query) else {
            throw DaprAPIError(
                .badRequest, "ERR_STATE_STORE_NOT_SUPPORTED", "state store does not support querying",
                details: [.errorInfo("DAPR_STATE_QUERYING_NOT_SUPPORTED")])
        }
        let bytes = try await body(request)
        let operation = StateOperationKind.query(store: client.storeName)
        let result = try await DaprAPIError.mapping(operation) {
            guard StrictJSON.isValid(bytes) else { throw StateError(.invalidRequest, "the query is not valid JSON") }
            return try await client.query(try StateQuery(json: bytes))
        }
        guard !result.items.isEmpty else { return Response(status: .noContent) }
        let items = result.items.map { item in
            RawJSON.object([("key", RawJSON.string(item.key)), ("data", RawJSON.value(item.value)), ("etag", RawJSON.string(item.etag))])
        }
        return Self.json(RawJSON.object([("results", "[" + items.joined(separator: ",") + "]"), ("token", result.token.map(RawJSON.string))]))
    }

    /// `GET /v1.0-alpha1/state/{store}/keys?prefix=&limit=&token=` (our extension): 200
    /// `{"keys":[…],"token":"…"}` with the caller's keys (un-prefixed); `token` is absent on the
    /// last page. `limit` is 1…1000, default 100.
    @Sendable func keys(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let client = try client(context)
        let parameters = request.uri.queryParameters
        let prefix = parameters["prefix"].map(String.init) ?? ""
        var limit = 100
        if let text = parameters["limit"], !text.isEmpty {
            guard let value = Int(text) else { throw DaprAPIError.malformed("limit must be an integer, not '\(text)'") }
            limit = value
        }
        let token = parameters["token"].flatMap { $0.isEmpty ? nil : String($0) }
        let page = try await DaprAPIError.mapping(.keys(store: client.storeName)) {
            try await client.keys(prefix: prefix, limit: limit, token: token)
        }
        let keys = "[" + page.keys.map(RawJSON.string).joined(separator: ",") + "]"
        return Self.json(RawJSON.object([("keys", keys), ("token", page.token.map(RawJSON.string))]))
    }
}
