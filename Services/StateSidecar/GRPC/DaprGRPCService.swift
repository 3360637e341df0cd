import Foundation
import GRPCCore
import Logging
import StateClient
import SwiftProtobuf

/// The state RPCs of Dapr's `dapr.proto.runtime.v1.Dapr` service, and `GetMetadata`, over the same
/// state clients as the HTTP API (``StateController``), so both APIs read and write the same
/// items with the same rules. Every other RPC of Dapr's service answers `UNIMPLEMENTED`
/// (``DaprUnimplementedRPCs``).
///
/// Errors (``RPCError``), as Dapr's gRPC API: unknown store, illegal key, bad ETag, TTL or query →
/// `INVALID_ARGUMENT`; ETag mismatch → `ABORTED`; store unavailable → `UNAVAILABLE`; a store without
/// the capability → `UNIMPLEMENTED`; anything else → `INTERNAL`. A missing key is an empty answer.
struct DaprGRPCService: Dapr_Proto_Runtime_V1_Dapr.SimpleServiceProtocol {
    /// The state clients by component name.
    let stores: [String: StateClient]
    let appID: String
    let components: [String: SidecarComponent]
    let logger: Logger

    // MARK: Get

    /// The stored bytes and ETag; `metadata.ttlExpireTime` (RFC 3339) for an item with a TTL.
    /// An absent key answers an empty response, as Dapr does.
    func getState(request: Dapr_Proto_Runtime_V1_GetStateRequest, context: ServerContext) async throws -> Dapr_Proto_Runtime_V1_GetStateResponse {
        let client = try client(request.storeName)
        let key = try legalKey(request.key, client)
        let entry = try await mapping(.get(store: client.storeName, key: key)) {
            try await client.get(key, consistency: Consistency(request.consistency))
        }
        var response = Dapr_Proto_Runtime_V1_GetStateResponse()
        guard let entry else { return response }
        response.data = Data(entry.value)
        response.etag = entry.etag
        if let expiresAt = entry.expiresAt { response.metadata["ttlExpireTime"] = RawJSON.timestamp(expiresAt) }
        return response
    }

    /// One item per requested key, in request order: an absent key has only `key`, a key that
    /// could not be read has `key` and `error`. The store reads all keys in one round trip, so
    /// `parallelism` (Dapr's number of concurrent reads for stores without a bulk read) only has
    /// to be valid: 0 (Dapr's default) or more.
    func getBulkState(
        request: Dapr_Proto_Runtime_V1_GetBulkStateRequest, context: ServerContext
    ) async throws -> Dapr_Proto_Runtime_V1_GetBulkStateResponse {
        let client = try client(request.storeName)
        guard request.parallelism >= 0 else {
            throw RPCError(code: .invalidArgument, message: "parallelism must be 0 or more, not \(request.parallelism)")
        }
        let keys = try request.keys.map { key throws(RPCError) in try legalKey(key, client) }
        let found = try await mapping(.bulkGet) { try await client.bulkGetEach(keys, consistency: .eventual) }
        var response = Dapr_Proto_Runtime_V1_GetBulkStateResponse()
        response.items = keys.map { key in
            var item = Dapr_Proto_Runtime_V1_BulkStateItem()
            item.key = key
            if let failure = found.failures[UTF8Key(key)] {
                item.error = failure.message
            } else if let entry = found.entries[UTF8Key(key)] {
                item.data = Data(entry.value)
                item.etag = entry.etag
                if let expiresAt = entry.expiresAt { item.metadata["ttlExpireTime"] = RawJSON.timestamp(expiresAt) }
            }
            return item
        }
        return response
    }

    // MARK: Save and delete

    /// Saves the items: one item is one write; several are written independently (not atomic, as
    /// in Dapr), and the answer is the worst failure (``StateController/worst(_:)``).
    func saveState(request: Dapr_Proto_Runtime_V1_SaveStateRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        let client = try client(request.storeName)
        let writes = try request.states.map { item throws(RPCError) in
            (key: try requiredKey(item, client), bytes: try valueBytes(item), options: try saveOptions(item))
        }
        let operation = StateOperationKind.save(store: client.storeName)
        if writes.count == 1, let write = writes.first {
            try await mapping(operation) { try await client.save(write.key, bytes: write.bytes, options: write.options) }
        } else if !writes.isEmpty {
            let failures = try await mapping(operation) { try await client.bulkSave(writes) }
            if let failure = StateController.worst(failures) { throw GRPCStateError.rpcError(failure, operation) }
        }
        return Google_Protobuf_Empty()
    }

    /// Deletes the key; with an ETag only if it still matches (else `ABORTED`). Deleting an
    /// absent key without ETag succeeds.
    func deleteState(request: Dapr_Proto_Runtime_V1_DeleteStateRequest, context: ServerContext) async throws -> Google_Protobuf_Empty {
        let client = try client(request.storeName)
        let key = try legalKey(request.key, client)
        let etag = request.hasEtag ? request.etag.value : nil
        try await mapping(.delete(key: key)) {
            try await client.delete(key, etag: etag, consistency: Consistency(request.options.consistency))
        }
        return Google_Protobuf_Empty()
    }

    /// Deletes each item on its own (not atomic, as in Dapr); the answer is the worst failure.
    func deleteBulkState(
        request: Dapr_Proto_Runtime_V1_DeleteBulkStateRequest, context: ServerContext
    ) async throws -> Google_Protobuf_Empty {
        let client = try client(request.storeName)
        let deletes = try request.states.map { item throws(RPCError) in
            (key: try requiredKey(item, client), etag: item.hasEtag ? item.etag.value : nil, consistency: Consistency(item.options.consistency))
        }
        var failures: [UTF8Key: StateError] = [:]
        for delete in deletes {
            try await mapping(.delete(key: delete.key)) {
                do {
                    try await client.delete(delete.key, etag: delete.etag, consistency: delete.consistency)
                } catch let error as StateError {
                    failures[UTF8Key(delete.key)] = error
                }
            }
        }
        if let failure = StateController.worst(failures), let key = failures.first(where: { $0.value == failure })?.key {
            throw GRPCStateError.rpcError(failure, .delete(key: key.string))
        }
        return Google_Protobuf_Empty()
    }

    // MARK: Transaction and query

    /// Applies the upserts and deletes in order, all or nothing. An operation type other than
    /// `upsert` or `delete` → `INVALID_ARGUMENT` before anything is written.
    func executeStateTransaction(
        request: Dapr_Proto_Runtime_V1_ExecuteStateTransactionRequest, context: ServerContext
    ) async throws -> Google_Protobuf_Empty {
        let client = try client(request.storeName)
        let operations = try request.operations.map { operation throws(RPCError) -> StateOperation in
            let item = operation.request
            switch operation.operationType {
            case "upsert":
                return .upsert(key: try requiredKey(item, client), bytes: try valueBytes(item), options: try saveOptions(item))
            case "delete":
                return .delete(key: try requiredKey(item, client), etag: item.hasEtag ? item.etag.value : nil)
            case let name:
                throw RPCError(code: .invalidArgument, message: "operation type \(name) not supported")
            }
        }
        try await mapping(.transaction) { try await client.transaction(operations) }
        return Google_Protobuf_Empty()
    }

    /// The caller's items matching the query (Dapr's JSON query: filter, sort, page), and the
    /// token of the next page (empty on the last one).
    func queryStateAlpha1(
        request: Dapr_Proto_Runtime_V1_QueryStateRequest, context: ServerContext
    ) async throws -> Dapr_Proto_Runtime_V1_QueryStateResponse {
        let client = try client(request.storeName)
        let operation = StateOperationKind.query(store: client.storeName)
        let result = try await mapping(operation) {
            let bytes = Array(request.query.utf8)
            guard StrictJSON.isValid(bytes) else { throw StateError(.invalidRequest, "the query is not valid JSON") }
            return try await client.query(try StateQuery(json: bytes))
        }
        var response = Dapr_Proto_Runtime_V1_QueryStateResponse()
        response.results = result.items.map { found in
            var item = Dapr_Proto_Runtime_V1_QueryStateItem()
            item.key = found.key
            item.data = Data(found.value)
            item.etag = found.etag
            return item
        }
        response.token = result.token ?? ""
        return response
    }

    // MARK: Metadata

    /// The app id and the state stores, as `GET /v1.0/metadata` reports them.
    func getMetadata(request: Dapr_Proto_Runtime_V1_GetMetadataRequest, context: ServerContext) async throws -> Dapr_Proto_Runtime_V1_GetMetadataResponse {
        var response = Dapr_Proto_Runtime_V1_GetMetadataResponse()
        response.id = appID
        response.registeredComponents = stores.keys.sorted().map { name in
            let component = components[name] ?? SidecarComponent(type: "state.in-memory", version: "v1")
            var registered = Dapr_Proto_Runtime_V1_RegisteredComponents()
            registered.name = name
            registered.type = component.type
            registered.version = component.version
            registered.capabilities = stores[name]?.store.capabilities.metadataNames ?? []
            return registered
        }
        return response
    }
}
