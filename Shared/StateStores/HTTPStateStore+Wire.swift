import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StateClient

/// Requests to the sidecar, the JSON it takes and gives, and its errors as ``StateError``s.
extension HTTPStateStore {
    /// A sidecar answer, body collected.
    struct Answer {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Answers larger than this are refused (a bulk get of many large values stays far below).
    static let maximumAnswerBytes = 64 * 1024 * 1024

    /// Sends one request. Failing to reach the sidecar (refused, timed out, cut) is ``StateError/Code/unavailable``.
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], headers: HTTPHeaders = [:], body: String? = nil
    ) async throws -> Answer {
        var url = configuration.baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { Self.pathSegment($0.0) + "=" + Self.pathSegment($0.1) }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers
        if let apiToken = configuration.apiToken { request.headers.add(name: "dapr-api-token", value: apiToken) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        do {
            let response = try await httpClient.execute(request, timeout: TimeAmount(configuration.timeout))
            var buffer = try await response.body.collect(upTo: Self.maximumAnswerBytes)
            return Answer(status: response.status, headers: response.headers, body: buffer.readBytes(length: buffer.readableBytes) ?? [])
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StateError(.unavailable, "the sidecar at \(configuration.baseURL) did not answer \(method) \(path): \(error)")
        }
    }

    /// The ``StateError`` a sidecar error answer stands for (Dapr's codes, see docs/state-api.md).
    func error(_ answer: Answer) -> StateError {
        let body = try? JSONDecoder().decode(ErrorBody.self, from: Data(answer.body))
        let code = body?.errorCode ?? ""
        let message = body?.message ?? "HTTP \(answer.status.code) \(String(decoding: answer.body.prefix(200), as: UTF8.self))"
        switch (answer.status, code) {
        case (.serviceUnavailable, _): return StateError(.unavailable, message)
        case (.conflict, _): return StateError(.etagMismatch, message)
        // Dapr answers 500, our sidecar 400.
        case (_, "ERR_STATE_STORE_NOT_SUPPORTED"): return StateError(.unsupported, message)
        case (.badRequest, _) where message.contains("invalid etag value"): return StateError(.etagInvalid, message)
        case (.badRequest, _), (.payloadTooLarge, _): return StateError(.invalidRequest, message)
        // Dapr answers 500 to a transaction whose ETag did not match (our sidecar 409).
        case (.internalServerError, "ERR_STATE_TRANSACTION") where message.contains("possible etag mismatch"):
            return StateError(.etagMismatch, message)
        default: return StateError(.storeFailure, message)
        }
    }

    // MARK: Request bodies

    /// One save item: `{"key","value","etag","options","metadata"}`.
    static func itemJSON(_ request: SetRequest) throws(StateError) -> String {
        guard StrictJSON.isValid(request.value) else {
            throw StateError(.invalidRequest, "the value of '\(request.key)' is not JSON; the HTTP state API carries JSON values only")
        }
        var members = [(JSONValue.stringLiteral("key"), JSONValue.stringLiteral(request.key)), ("\"value\"", String(decoding: request.value, as: UTF8.self))]
        if let etag = request.etag { members.append(("\"etag\"", JSONValue.stringLiteral(etag))) }
        members.append(("\"options\"", #"{"concurrency":"\#(request.concurrency.rawValue)","consistency":"\#(request.consistency.rawValue)"}"#))
        if let ttl = request.ttlInSeconds { members.append(("\"metadata\"", #"{"ttlInSeconds":"\#(ttl)"}"#)) }
        return "{" + members.map { $0.0 + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// One delete in a transaction: `{"key","etag","options"}`.
    static func deleteJSON(_ request: DeleteRequest) -> String {
        let etag = request.etag.map { #","etag":"# + JSONValue.stringLiteral($0) } ?? ""
        return #"{"key":"# + JSONValue.stringLiteral(request.key) + etag + #","options":{"consistency":"\#(request.consistency.rawValue)"}}"#
    }

    // MARK: Answers

    /// An element of a bulk-get answer: `{"key","data","etag","metadata","error"}`.
    struct BulkItem {
        var key = ""
        var item: StateItem?
        var error: String?

        init(_ text: ArraySlice<UInt8>) throws(StateError) {
            var data: [UInt8]?
            var etag: String?
            var expiresAt: Date?
            for (name, value) in try HTTPStateStore.slices(text, JSONSlices.members) {
                switch name {
                case "key": key = try HTTPStateStore.slices(value, JSONSlices.string)
                case "data": data = Array(value)
                case "etag": etag = try HTTPStateStore.slices(value, JSONSlices.string)
                case "error": error = try HTTPStateStore.slices(value, JSONSlices.string)
                case "metadata":
                    let metadata = try? JSONDecoder().decode([String: String].self, from: Data(value))
                    expiresAt = try metadata?["ttlExpireTime"].map(HTTPStateStore.timestamp)
                default: break
                }
            }
            if let data, let etag { item = StateItem(key: key, value: data, etag: etag, expiresAt: expiresAt) }
        }
    }

    /// A query answer: `{"results":[{"key","data","etag"}],"token"}`.
    static func queryResult(_ body: [UInt8]) throws(StateError) -> StateQueryResult {
        var items: [StateQueryResult.Item] = []
        var token: String?
        for (name, value) in try slices(body[...], JSONSlices.members) {
            switch name {
            case "results":
                for element in try slices(value, JSONSlices.elements) {
                    let result = try BulkItem(element)
                    guard let item = result.item else { throw StateError(.storeFailure, "a query result without data or etag") }
                    items.append(StateQueryResult.Item(key: item.key, value: item.value, etag: item.etag))
                }
            case "token": token = try slices(value, JSONSlices.string)
            default: break
            }
        }
        return StateQueryResult(items: items, token: token?.isEmpty == false ? token : nil)
    }

    /// Runs a ``JSONSlices`` split, an answer that is not JSON as the API describes being a store failure.
    static func slices<T>(_ text: ArraySlice<UInt8>, _ split: (ArraySlice<UInt8>) throws(JSONSlices.Malformed) -> T) throws(StateError) -> T {
        do {
            return try split(text)
        } catch {
            throw StateError(.storeFailure, "the sidecar's answer is not the JSON the state API describes")
        }
    }

    /// An RFC 3339 time (`metadata.ttlExpireTime`), with or without fractional seconds.
    static func timestamp(_ text: String) throws(StateError) -> Date {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        throw StateError(.storeFailure, "ttlExpireTime '\(text)' is not an RFC 3339 time")
    }
}

/// Dapr's error body: `{"errorCode","message"}`.
struct ErrorBody: Decodable {
    var errorCode: String?
    var message: String?
}

/// The part of `GET /v1.0/metadata` the store reads.
struct SidecarMetadata: Decodable {
    struct Component: Decodable {
        var name: String
        var capabilities: [String]?
    }

    var components: [Component]?
}

/// `{"keys":[…],"token":"…"}` of the list-keys extension.
struct KeysPage: Decodable {
    var keys: [String]
    var token: String?
}
