import Foundation
import GRPCCore
import StateClient

/// Reading what a request carries: the store, keys, values, options and metadata.
extension DaprGRPCService {
    /// The client of `name`: `INVALID_ARGUMENT` when no store has that name (as Dapr),
    /// `FAILED_PRECONDITION` when the sidecar has no store at all.
    func client(_ name: String) throws(RPCError) -> StateClient {
        guard !stores.isEmpty else { throw RPCError(code: .failedPrecondition, message: "state store \(name) is not configured") }
        guard let client = stores[name] else { throw RPCError(code: .invalidArgument, message: "state store \(name) is not found") }
        return client
    }

    /// `key` when it does not contain the prefix separator `||`; else `INVALID_ARGUMENT`.
    func legalKey(_ key: String, _ client: StateClient) throws(RPCError) -> String {
        guard !key.containsBytes(keyPrefixSeparator) else {
            throw RPCError(code: .invalidArgument, message: "input key/keyPrefix '\(key)' can't contain '\(keyPrefixSeparator)'")
        }
        return key
    }

    /// The item's key: `INVALID_ARGUMENT` when empty (Dapr: "state key cannot be empty") or illegal.
    func requiredKey(_ item: Dapr_Proto_Common_V1_StateItem, _ client: StateClient) throws(RPCError) -> String {
        guard !item.key.isEmpty else { throw RPCError(code: .invalidArgument, message: "state key cannot be empty") }
        return try legalKey(item.key, client)
    }

    /// The bytes to store: the value as sent. With metadata `contentType: application/json` the
    /// value must be JSON (else `INVALID_ARGUMENT`), as Dapr checks; it is stored as sent, so it
    /// reads back byte for byte, over gRPC and HTTP alike.
    func valueBytes(_ item: Dapr_Proto_Common_V1_StateItem) throws(RPCError) -> [UInt8] {
        let bytes = Array(item.value)
        let contentType = item.metadata["contentType"] ?? ""
        if contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "application/json",
            !StrictJSON.isValid(bytes) {
            throw RPCError(code: .invalidArgument, message: "the value of '\(item.key)' is not valid JSON (contentType is application/json)")
        }
        return bytes
    }

    /// The save options of an item: ETag (an `Etag` message, even with an empty value, is no
    /// ETag, as an empty `If-Match`), concurrency, consistency, and metadata `ttlInSeconds`.
    func saveOptions(_ item: Dapr_Proto_Common_V1_StateItem) throws(RPCError) -> SaveOptions {
        var options = SaveOptions(etag: item.hasEtag && !item.etag.value.isEmpty ? item.etag.value : nil)
        options.concurrency = Concurrency(item.options.concurrency)
        options.consistency = Consistency(item.options.consistency)
        if let text = item.metadata["ttlInSeconds"], !text.isEmpty {
            guard let ttl = Int(text) else { throw RPCError(code: .invalidArgument, message: "ttlInSeconds must be an integer, not '\(text)'") }
            options.ttlInSeconds = ttl
        }
        return options
    }
}

extension Consistency {
    /// Dapr's consistency enum; unspecified (and unknown values) is eventual, as in Dapr.
    init(_ value: Dapr_Proto_Common_V1_StateOptions.StateConsistency) {
        self = value == .consistencyStrong ? .strong : .eventual
    }
}

extension Concurrency {
    /// Dapr's concurrency enum; unspecified (and unknown values) is last-write, as in Dapr.
    init(_ value: Dapr_Proto_Common_V1_StateOptions.StateConcurrency) {
        self = value == .concurrencyFirstWrite ? .firstWrite : .lastWrite
    }
}
