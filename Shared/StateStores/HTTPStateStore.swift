import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StateClient

/// A state store behind a Dapr-compatible sidecar (ours, or a real `daprd`), over its HTTP state API.
///
/// The sidecar prefixes keys with its app id, so a client over this store uses ``KeyPrefix/none``
/// (``client(appID:)`` makes one): a service switches between a direct store and a sidecar by
/// configuration alone.
///
/// ```swift
/// let store = try await HTTPStateStore.discover(.init(baseURL: "http://localhost:3500", storeName: "statestore"))
/// let baskets = store.client(appID: "basket-api")
/// ```
///
/// Connections are reused (AsyncHTTPClient's pool). Values travel as JSON: bytes that are not JSON
/// are refused with ``StateError/Code/invalidRequest``. Transport failures and 503 answers are
/// ``StateError/Code/unavailable``; the sidecar's error codes map back to the codes the other stores throw.
public struct HTTPStateStore: StateStore {
    /// Where the sidecar is and which of its components to use.
    public struct Configuration: Sendable {
        /// `http://host:port` of the sidecar.
        public var baseURL: String
        /// The component name (`statestore`).
        public var storeName: String
        /// Bound on each request, connection included.
        public var timeout: Duration
        /// Sent as `dapr-api-token` when set (a `daprd` with API token authentication).
        public var apiToken: String?

        public init(baseURL: String, storeName: String, timeout: Duration = .seconds(5), apiToken: String? = nil) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.storeName = storeName
            self.timeout = timeout
            self.apiToken = apiToken
        }
    }

    public let configuration: Configuration
    public let capabilities: StateStoreCapabilities
    let httpClient: HTTPClient

    /// A store with known `capabilities`; ``discover(_:httpClient:)`` asks the sidecar instead.
    public init(
        _ configuration: Configuration, capabilities: StateStoreCapabilities = [.etag, .transactional, .ttl, .query, .keys],
        httpClient: HTTPClient = .shared
    ) {
        self.configuration = configuration
        self.capabilities = capabilities
        self.httpClient = httpClient
    }

    /// A store whose capabilities are the component's features reported by `GET /v1.0/metadata`.
    /// Throws ``StateError/Code/unavailable`` when the sidecar does not answer, and
    /// ``StateError/Code/invalidRequest`` when it has no component of that name.
    public static func discover(_ configuration: Configuration, httpClient: HTTPClient = .shared) async throws -> HTTPStateStore {
        let probe = HTTPStateStore(configuration, httpClient: httpClient)
        let response = try await probe.send(.GET, "/v1.0/metadata")
        guard response.status == .ok else { throw probe.error(response) }
        let metadata = try JSONDecoder().decode(SidecarMetadata.self, from: Data(response.body))
        guard let component = metadata.components?.first(where: { $0.name == configuration.storeName }) else {
            throw StateError(.invalidRequest, "the sidecar at \(configuration.baseURL) has no state store \(configuration.storeName)")
        }
        return HTTPStateStore(configuration, capabilities: StateStoreCapabilities(daprFeatureNames: component.capabilities ?? []), httpClient: httpClient)
    }

    /// A state client for `appID` over this store: the sidecar does the prefixing.
    public func client(appID: String) -> StateClient {
        StateClient(store: self, storeName: configuration.storeName, appID: appID, keyPrefix: .none)
    }

    // MARK: Reads

    public func get(_ key: String, consistency: Consistency) async throws -> StateItem? {
        let response = try await send(.GET, statePath(key), query: consistencyQuery(consistency))
        switch response.status {
        case .noContent: return nil
        case .ok:
            guard let etag = response.headers.first(name: "etag") else {
                throw StateError(.storeFailure, "the sidecar answered \(key) without an ETag")
            }
            let expiresAt = try response.headers.first(name: "metadata.ttlExpireTime").map(Self.timestamp)
            return StateItem(key: key, value: response.body, etag: etag, expiresAt: expiresAt)
        default: throw error(response)
        }
    }

    /// An element with an `error` is a failure of its key.
    public func bulkGet(_ keys: [String], consistency: Consistency) async throws -> BulkGetResult {
        guard !keys.isEmpty else { return BulkGetResult() }
        let body = #"{"keys":["# + keys.map(JSONValue.stringLiteral).joined(separator: ",") + "]}"
        let response = try await send(.POST, statePath() + "/bulk", query: consistencyQuery(consistency), body: body)
        guard response.status == .ok else { throw error(response) }
        var result = BulkGetResult()
        for element in try Self.slices(response.body[...], JSONSlices.elements) {
            let bulkItem = try BulkItem(element)
            if let failure = bulkItem.error {
                result.failures[UTF8Key(bulkItem.key)] = StateError(.storeFailure, failure)
            } else if let item = bulkItem.item {
                result.items[UTF8Key(item.key)] = item
            }
        }
        return result
    }

    // MARK: Writes

    public func set(_ request: SetRequest) async throws {
        let response = try await send(.POST, statePath(), body: "[" + (try Self.itemJSON(request)) + "]")
        guard response.status == .noContent || response.status == .ok else { throw error(response) }
    }

    public func delete(_ request: DeleteRequest) async throws {
        var headers = HTTPHeaders()
        if let etag = request.etag { headers.add(name: "If-Match", value: etag) }
        let response = try await send(.DELETE, statePath(request.key), query: consistencyQuery(request.consistency), headers: headers)
        guard response.status == .noContent || response.status == .ok else { throw error(response) }
    }

    public func transaction(_ operations: [TransactionOperation]) async throws {
        guard !operations.isEmpty else { return }
        let parts = try operations.map { operation throws(StateError) in
            switch operation {
            case .upsert(let request): #"{"operation":"upsert","request":"# + (try Self.itemJSON(request)) + "}"
            case .delete(let request): #"{"operation":"delete","request":"# + Self.deleteJSON(request) + "}"
            }
        }
        let response = try await send(.POST, statePath() + "/transaction", body: #"{"operations":["# + parts.joined(separator: ",") + "]}")
        guard response.status == .noContent || response.status == .ok else { throw error(response) }
    }

    // MARK: Query and keys

    /// Queries the sidecar's store. The sidecar limits results to its app's keys, so `keyPrefix`
    /// (empty for a ``KeyPrefix/none`` client) must be empty.
    public func query(_ query: StateQuery, keyPrefix: String) async throws -> StateQueryResult {
        guard keyPrefix.isEmpty else {
            throw StateError(.invalidRequest, "a client over a sidecar uses no key prefix; the sidecar prefixes keys with its app id")
        }
        let response = try await send(.POST, "/v1.0-alpha1/state/\(Self.pathSegment(configuration.storeName))/query", body: query.jsonValue.jsonText)
        switch response.status {
        case .noContent: return StateQueryResult(items: [], token: nil)
        case .ok: return try Self.queryResult(response.body)
        default: throw error(response)
        }
    }

    public func keys(prefix: String, limit: Int, token: String?) async throws -> StateKeysPage {
        var query = [("prefix", prefix), ("limit", String(limit))]
        if let token { query.append(("token", token)) }
        let response = try await send(.GET, "/v1.0-alpha1/state/\(Self.pathSegment(configuration.storeName))/keys", query: query)
        guard response.status == .ok else { throw error(response) }
        do {
            let page = try JSONDecoder().decode(KeysPage.self, from: Data(response.body))
            return StateKeysPage(keys: page.keys, token: page.token)
        } catch {
            throw StateError(.storeFailure, "the sidecar's key page is not what the API describes")
        }
    }

    // MARK: Paths

    /// `/v1.0/state/{store}[/{key}]`, each segment percent-encoded.
    func statePath(_ key: String? = nil) -> String {
        "/v1.0/state/" + Self.pathSegment(configuration.storeName) + (key.map { "/" + Self.pathSegment($0) } ?? "")
    }

    func consistencyQuery(_ consistency: Consistency) -> [(String, String)] {
        consistency == .strong ? [("consistency", "strong")] : []
    }

    /// `text` with everything but RFC 3986's unreserved characters percent-encoded.
    static func pathSegment(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return encoded
    }
}
