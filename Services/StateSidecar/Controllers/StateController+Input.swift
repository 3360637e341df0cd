import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import StateClient

/// Reading what a request carries: the store, a key, the body, `metadata.*` parameters.
extension StateController {
    /// The client of the `{store}` path parameter: 500 `ERR_STATE_STORE_NOT_CONFIGURED` when the
    /// sidecar has no store at all, 400 `ERR_STATE_STORE_NOT_FOUND` when none has that name.
    func client(_ context: some RequestContext) throws(DaprAPIError) -> StateClient {
        let name = try pathParameter("store", context)
        guard !stores.isEmpty else { throw .storeNotConfigured(name) }
        guard let client = stores[name] else { throw .storeNotFound(name, appID: appID) }
        return client
    }

    /// `key` when its bytes do not contain the prefix separator; else 400 with Dapr's rich details.
    func legalKey(_ key: String, _ client: StateClient) throws(DaprAPIError) -> String {
        guard !key.containsBytes(keyPrefixSeparator) else { throw .illegalKey(key, store: client.storeName) }
        return key
    }

    /// A path parameter, percent-decoded as RFC 3986 says (`%2F` is `/`, `+` stays `+`).
    /// Hummingbird's `context.parameters` holds the raw, still-encoded path segment; Dapr decodes
    /// with Go's query unescaping (`+` → space), which ARCHITECTURE.md chose not to follow.
    func pathParameter(_ name: String, _ context: some RequestContext) throws(DaprAPIError) -> String {
        let raw = context.parameters.get(name) ?? ""
        // Most segments have nothing to decode; Foundation's decoding bridges through NSString.
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return raw }
        guard let decoded = raw.removingPercentEncoding else {
            throw .malformed("the path segment '\(raw)' is not valid percent-encoding")
        }
        return decoded
    }

    /// The body, at most ``maxBodyBytes`` (else 413).
    func body(_ request: Request) async throws -> [UInt8] {
        do {
            var buffer = try await request.body.collect(upTo: maxBodyBytes)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch is NIOTooManyBytesError {
            throw DaprAPIError.bodyTooLarge(limit: maxBodyBytes)
        }
    }

    /// Bodies larger than this are parsed on `NIOThreadPool`: the sidecar serves every request on
    /// one event loop, and parsing a large legal body there (a 4 MB save) held up every other
    /// request, `/v1.0/healthz` included, until it was done.
    static let offloadedBodyBytes = 64 * 1024

    /// `parse(bytes)`, run off the event loop when `bytes` is large (``offloadedBodyBytes``).
    func parsing<T: Sendable>(_ bytes: [UInt8], _ parse: @escaping @Sendable ([UInt8]) throws -> T) async throws -> T {
        guard bytes.count > Self.offloadedBodyBytes else { return try parse(bytes) }
        return try await NIOThreadPool.singleton.runIfActive { try parse(bytes) }
    }

    /// The body decoded as `T`, or 400 `ERR_MALFORMED_REQUEST`.
    func decode<T: Decodable & Sendable>(_ type: T.Type, _ request: Request) async throws -> T {
        try await parsing(try await body(request)) { bytes in try Self.decode(T.self, from: bytes) }
    }

    /// The items of a save body, each with its `value` text as sent.
    func decodeSaveItems(_ request: Request) async throws -> [SaveItemDTO] {
        try await parsing(try await body(request)) { bytes in
            var items = try Self.decode([SaveItemDTO].self, from: bytes)
            for (index, element) in try JSONSlices.elements(bytes[...]).enumerated() {
                items[index].value = try JSONSlices.members(element).last { $0.name == "value" }?.value
            }
            return items
        }
    }

    /// A transaction body, each upsert with its `value` text as sent.
    func decodeTransaction(_ request: Request) async throws -> TransactionRequestDTO {
        try await parsing(try await body(request)) { bytes in
            var transaction = try Self.decode(TransactionRequestDTO.self, from: bytes)
            guard let operations = try JSONSlices.members(bytes[...]).last(where: { $0.name == "operations" })?.value,
                operations.first == UInt8(ascii: "[")
            else { return transaction }
            for (index, element) in try JSONSlices.elements(operations).enumerated() {
                guard let request = try JSONSlices.members(element).last(where: { $0.name == "request" })?.value,
                    request.first == UInt8(ascii: "{")
                else { continue }
                transaction.operations?[index].request?.value = try JSONSlices.members(request).last { $0.name == "value" }?.value
            }
            return transaction
        }
    }

    /// `bytes` decoded as `T`, or 400 `ERR_MALFORMED_REQUEST`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        guard StrictJSON.isValid(bytes) else { throw DaprAPIError.malformed("failed deserializing HTTP body: not valid JSON") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw DaprAPIError.malformed("failed deserializing HTTP body: \(describe(error))")
        }
    }

    /// The `metadata.<name>=<value>` query parameters, by name.
    func urlMetadata(_ request: Request) -> [String: String] {
        var metadata: [String: String] = [:]
        for (name, value) in request.uri.queryParameters where name.hasPrefix("metadata.") {
            metadata[String(name.dropFirst("metadata.".count))] = String(value)
        }
        return metadata
    }

    /// The `consistency` query parameter (`strong` or `eventual`, default eventual).
    func consistency(_ request: Request) throws(DaprAPIError) -> Consistency {
        guard let text = request.uri.queryParameters["consistency"], !text.isEmpty else { return .eventual }
        guard let value = Consistency(rawValue: String(text)) else {
            throw .malformed("unrecognized consistency model '\(text)'")
        }
        return value
    }

    /// The save options of an item: its ETag, options and metadata (`ttlInSeconds`), with URL
    /// metadata taking precedence, as in Dapr.
    func saveOptions(_ item: SaveItemDTO, urlMetadata: [String: String]) throws(DaprAPIError) -> SaveOptions {
        let metadata = (item.metadata ?? [:]).merging(urlMetadata) { _, url in url }
        var options = SaveOptions(etag: item.etag.flatMap { $0.isEmpty ? nil : $0 })
        if let text = item.options?.concurrency, !text.isEmpty {
            guard let value = Concurrency(rawValue: text) else { throw .malformed("unrecognized concurrency model '\(text)'") }
            options.concurrency = value
        }
        if let text = item.options?.consistency, !text.isEmpty {
            guard let value = Consistency(rawValue: text) else { throw .malformed("unrecognized consistency model '\(text)'") }
            options.consistency = value
        }
        if let text = metadata["ttlInSeconds"], !text.isEmpty {
            guard let ttl = Int(text) else { throw .malformed("ttlInSeconds must be an integer, not '\(text)'") }
            options.ttlInSeconds = ttl
        }
        return options
    }

    /// The item's key, or Dapr's 400 when it has none or it contains `||`.
    func requiredKey(_ item: SaveItemDTO, _ client: StateClient) throws(DaprAPIError) -> String {
        guard let key = item.key, !key.isEmpty else { throw .malformed(#""key" is a required field"#) }
        return try legalKey(key, client)
    }

    /// The stored bytes of an item's value: its JSON text as sent, so every number keeps all its
    /// digits (RFC 8259 sets no limit); `null` when the item has no value.
    func valueBytes(_ item: SaveItemDTO) -> [UInt8] {
        item.value.map(Array.init) ?? Array("null".utf8)
    }

    /// A short description of a decoding failure: what was expected where.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not valid JSON" }
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "the body" : String(path.drop { $0 == "." })
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(path(context)) must be \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) must be \(type)"
        case .keyNotFound(let key, _): return "\(key.stringValue) is missing"
        case .dataCorrupted: return "not valid JSON"
        @unknown default: return "not valid JSON"
        }
    }
}
