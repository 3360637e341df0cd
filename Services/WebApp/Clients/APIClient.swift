import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceDefaults

/// One HTTP answer of a backend API: its status, headers and body bytes.
struct APIResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer

    /// The body decoded as JSON (`Decimal` digit for digit, as every API sends money).
    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: body)
    }

    /// The `errors` of an RFC 9457 problem body (`{"errors":{"field":["message"]}}`), or empty.
    var problemErrors: [String: [String]] {
        (try? JSONDecoder().decode(ProblemBody.self, from: body))?.errors ?? [:]
    }

    /// The problem's `detail`, when the body is one.
    var problemDetail: String? {
        (try? JSONDecoder().decode(ProblemBody.self, from: body))?.detail
    }

    private struct ProblemBody: Decodable {
        var detail: String?
        var errors: [String: [String]]?
    }
}

/// A backend did not answer, or answered 5xx: the page says so and asks to retry (503).
struct BackendUnavailable: Error, CustomStringConvertible {
    /// The backend's name as the storefront shows it (`catalog`, `basket`).
    var backend: String
    var reason: String
    var description: String { "\(backend) is unavailable: \(reason)" }
}

/// A backend answered something the storefront does not expect (a bug on one side): logged, 502.
struct BackendContractError: Error, CustomStringConvertible {
    var backend: String
    var status: Int
    var description: String { "\(backend) answered an unexpected \(status)" }
}

/// Calls one backend service (Catalog, Basket, Ordering, Identity, the model worker) over HTTP/1.1
/// with the pooled client for calls between services (`HTTPClient.services`). Every call has a
/// timeout; a connection failure, a timeout or a 5xx becomes ``BackendUnavailable``.
struct APIClient: Sendable {
    /// Shown in errors and logs (`catalog`).
    let name: String
    /// The service's base URL without a trailing slash (`http://127.0.0.1:5101`).
    let baseURL: String
    let timeout: Duration
    let httpClient: HTTPClient

    init(name: String, baseURL: String, timeout: Duration = .seconds(5), httpClient: HTTPClient = .services) {
        self.name = name
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
        self.httpClient = httpClient
    }

    /// Sends one request; `pathAndQuery` starts with `/`. The body, when given, is JSON unless
    /// `contentType` says otherwise. Answers every status below 500.
    func send(
        _ method: HTTPMethod, _ pathAndQuery: String, token: String? = nil, json: (some Encodable)? = String?.none,
        form: String? = nil, headers extra: [(String, String)] = []
    ) async throws -> APIResponse {
        var request = HTTPClientRequest(url: baseURL + pathAndQuery)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(json)))
        } else if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await httpClient.execute(request, timeout: TimeAmount(timeout))
            body = try await response.body.collect(upTo: 4 * 1024 * 1024)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw BackendUnavailable(backend: name, reason: String(describing: error))
        }
        guard response.status.code < 500 else {
            throw BackendUnavailable(backend: name, reason: "\(method) \(pathAndQuery) answered \(response.status.code)")
        }
        return APIResponse(status: Int(response.status.code), headers: response.headers, body: body)
    }

    /// `GET` that must answer 200 with JSON of `type`; 404 answers `nil`.
    func get<Value: Decodable>(_ pathAndQuery: String, as type: Value.Type, token: String? = nil) async throws -> Value? {
        let response = try await send(.GET, pathAndQuery, token: token)
        switch response.status {
        case 200: return try response.decode(type)
        case 404: return nil
        default: throw BackendContractError(backend: name, status: response.status)
        }
    }
}

extension String {
    /// The string as one URL query value (RFC 3986 unreserved characters kept, the rest escaped).
    var queryEscaped: String {
        addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? ""
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
