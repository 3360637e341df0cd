import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceDefaults
import StateClient

/// Dapr's state API (`/v1.0/state/{store}…`) over our state clients, one per component.
struct StateController: Sendable {
    /// The state clients by component name.
    let stores: [String: StateClient]
    let appID: String
    /// Request bodies larger than this are answered 413.
    let maxBodyBytes: Int

    /// The `/v1.0/state` routes. A key named `bulk` or `transaction` is reachable by GET and DELETE too.
    var endpoints: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        let state = routes.group("v1.0/state")
        for method in [HTTPRequest.Method.post, .put] {
            state.on(":store", method: method, use: save)
            state.on(":store/bulk", method: method, use: bulkGet)
            state.on(":store/transaction", method: method, use: transaction)
        }
        state.get(":store/:key", use: get)
        state.delete(":store/:key", use: delete)
        for literal in ["bulk", "transaction"] {
            state.get(":store/\(literal)") { request, context in try await get(request, context, key: literal) }
            state.delete(":store/\(literal)") { request, context in try await delete(request, context, key: literal) }
        }
        return routes
    }

    // MARK: Save

    /// `POST|PUT /v1.0/state/{store}`: saves an array of items; 204. One item is one write;
    /// several are written independently (not atomic, as in Dapr): the good ones are written, and
    /// the answer is 409 when every failure was an ETag conflict.
    @Sendable func save(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let client = try client(context)
        let items = try await decodeSaveItems(request)
        guard !items.isEmpty else { return Response(status: .noContent) }
        let metadata = urlMetadata(request)
        let store = client.storeName
        var writes: [(key: String, bytes: [UInt8], options: SaveOptions)] = []
        for item in items {
            writes.append((try requiredKey(item, client), valueBytes(item), try saveOptions(item, urlMetadata: metadata)))
        }
        if writes.count == 1, let write = writes.first {
            try await DaprAPIError.mapping(.save(store: store)) { try await client.save(write.key, bytes: write.bytes, options: write.options) }
            return Response(status: .noContent)
        }
        let failures = try await DaprAPIError.mapping(.save(store: store)) { try await client.bulkSave(writes) }
        if let failure = Self.worst(failures) { throw DaprAPIError(failure, .save(store: store)) }
        return Response(status: .noContent)
    }

    /// The failure a multi-item save answers with: an ETag conflict only when every failure is one.
    static func worst(_ failures: [UTF8Key: StateError]) -> StateError? {
        let order: [StateError.Code] = [.storeFailure, .notFound, .unavailable, .unsupported, .etagInvalid, .invalidRequest, .etagMismatch]
        let sorted = failures.sorted { $0.key < $1.key }.map(\.value)
        for code in order { if let failure = sorted.first(where: { $0.code == code }) { return failure } }
        return sorted.first
    }

    // MARK: Get and delete

    /// `GET /v1.0/state/{store}/{key}`: 200 with the stored bytes, `ETag` and (with a TTL)
    /// `metadata.ttlExpireTime`; 204 when the key is absent.
    @Sendable func get(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await get(request, context, key: try pathParameter("key", context))
    }

    func get(_ request: Request, _ context: BasicRequestContext, key: String) async throws -> Response {
        let client = try client(context)
        let key = try legalKey(key, client)
        let consistency = try consistency(request)
        let entry = try await DaprAPIError.mapping(.get(store: client.storeName, key: key)) { try await client.get(key, consistency: consistency) }
        guard let entry else { return Response(status: .noContent) }
        var headers: HTTPFields = [.contentType: "application/json", .eTag: entry.etag]
        if let expiresAt = entry.expiresAt { headers[.ttlExpireTime] = RawJSON.timestamp(expiresAt) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: entry.value)))
    }

    /// `DELETE /v1.0/state/{store}/{key}` with an optional `If-Match`: 204 (also for an absent
    /// key without one); 409 `ERR_STATE_DELETE` when it does not match. `If-Match` is one ETag as
    /// Dapr's clients send it (`5`), or what RFC 9110 §13.1.1 allows: a quoted tag (`"5"`), a
    /// list that matches when any member does (`"x", "5"`), or `*` (the key exists). Weak tags
    /// (`W/"5"`) never match: `If-Match` compares strongly.
    @Sendable func delete(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await delete(request, context, key: try pathParameter("key", context))
    }

    func delete(_ request: Request, _ context: BasicRequestContext, key: String) async throws -> Response {
        let client = try client(context)
        let key = try legalKey(key, client)
        let consistency = try consistency(request)
        try await DaprAPIError.mapping(.delete(key: key)) {
            let etag = try await Self.deleteETag(EntityTagCondition(request.headers[.ifMatch]), key: key, client: client, consistency: consistency)
            try await client.delete(key, etag: etag, consistency: consistency)
        }
        return Response(status: .noContent)
    }

    /// The ETag a delete is conditional on: the one tag sent (the store checks it, and refuses one
    /// that is not an ETag of ours), or for `*` and lists, the current ETag when the condition
    /// names it; the delete stays conditional on it, so a change in between is still a conflict.
    static func deleteETag(_ condition: EntityTagCondition?, key: String, client: StateClient, consistency: Consistency) async throws -> String? {
        switch condition {
        case nil: return nil
        case .tags(let tags) where tags.count == 1 && !tags[0].isWeak: return tags[0].value
        case let condition?:
            let current = try await client.get(key, consistency: consistency)?.etag
            guard let current, condition.ifMatch(current: current) else {
                throw StateError(.etagMismatch, "possible etag mismatch: If-Match does not name the current ETag of \(key)")
            }
            return current
        }
    }

    // MARK: Bulk get

    /// `POST|PUT /v1.0/state/{store}/bulk`: 200 with `[{"key","data","etag","metadata"}]`, one
    /// element per requested key in request order; an absent key has only `key`, a key that
    /// could not be read has `key` and `error` (the others are still answered, as in Dapr).
    @Sendable func bulkGet(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let client = try client(context)
        let keys = try (try await decode(BulkGetRequestDTO.self, request).keys ?? []).map { key throws(DaprAPIError) in try legalKey(key, client) }
        let consistency = try consistency(request)
        let found = try await DaprAPIError.mapping(.bulkGet) { try await client.bulkGetEach(keys, consistency: consistency) }
        let elements = keys.map { key in
            if let failure = found.failures[UTF8Key(key)] { return RawJSON.object([("key", RawJSON.string(key)), ("error", RawJSON.string(failure.message))]) }
            guard let entry = found.entries[UTF8Key(key)] else { return RawJSON.object([("key", RawJSON.string(key))]) }
            let metadata = entry.expiresAt.map { RawJSON.object([("ttlExpireTime", RawJSON.string(RawJSON.timestamp($0)))]) }
            return RawJSON.object([
                ("key", RawJSON.string(key)), ("data", RawJSON.value(entry.value)), ("etag", RawJSON.string(entry.etag)), ("metadata", metadata),
            ])
        }
        return Self.json("[" + elements.joined(separator: ",") + "]")
    }

    // MARK: Transaction

    /// `POST|PUT /v1.0/state/{store}/transaction`: applies upserts and deletes in order, all or
    /// nothing; 204. Unknown operation → 400 `ERR_NOT_SUPPORTED_STATE_OPERATION`; an ETag
    /// mismatch → 409 `ERR_STATE_TRANSACTION` (Dapr: 500); a store failure → 500 `ERR_STATE_TRANSACTION`.
    @Sendable func transaction(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let client = try client(context)
        let body = try await decodeTransaction(request)
        let metadata = urlMetadata(request)
        var operations: [StateOperation] = []
        for operation in body.operations ?? [] {
            let item = operation.request ?? SaveItemDTO()
            switch operation.operation ?? "" {
            case "upsert":
                operations.append(.upsert(key: try requiredKey(item, client), bytes: valueBytes(item), options: try saveOptions(item, urlMetadata: metadata)))
            case "delete":
                operations.append(.delete(key: try requiredKey(item, client), etag: item.etag.flatMap { $0.isEmpty ? nil : $0 }))
            case let name:
                throw DaprAPIError(.badRequest, "ERR_NOT_SUPPORTED_STATE_OPERATION", "operation type \(name) not supported")
            }
        }
        try await DaprAPIError.mapping(.transaction) { try await client.transaction(operations) }
        return Response(status: .noContent)
    }

    /// A 200 answer with JSON text.
    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension HTTPField.Name {
    /// Dapr's `metadata.ttlExpireTime` response header (RFC 3339, UTC).
    static let ttlExpireTime = HTTPField.Name("metadata.ttlExpireTime")!
}
