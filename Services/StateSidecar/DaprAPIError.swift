import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StateClient

/// An error of the Dapr API, answered as Dapr does: `{"errorCode":"ERR_…","message":"…"}` with
/// `Content-Type: application/json` (not problem+json), and for the errors Dapr reports in its
/// rich form a `details` array of `google.rpc` messages (``ErrorDetail``).
struct DaprAPIError: Error, HTTPResponseError, CustomStringConvertible {
    var status: HTTPResponse.Status
    /// Dapr's error code, e.g. `ERR_STATE_STORE_NOT_FOUND`.
    var errorCode: String
    var message: String
    var headers: HTTPFields = [:]
    var details: [ErrorDetail] = []

    init(_ status: HTTPResponse.Status, _ errorCode: String, _ message: String, headers: HTTPFields = [:], details: [ErrorDetail] = []) {
        self.status = status
        self.errorCode = errorCode
        self.message = message
        self.headers = headers
        self.details = details
    }

    var description: String { "\(status.code) \(errorCode): \(message)" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        answer
    }

    /// The answer as a `Response`.
    var answer: Response {
        let (head, body) = head()
        return Response(status: head.status, headers: head.headerFields, body: .init(byteBuffer: body))
    }

    /// The response head and body, for where a Hummingbird `Response` cannot be used (a channel
    /// handler answering before the request reaches the router).
    func head() -> (HTTPResponse, ByteBuffer) {
        let detailsJSON = details.isEmpty ? nil : "[" + details.map(\.json).joined(separator: ",") + "]"
        let body = RawJSON.object([("errorCode", RawJSON.string(errorCode)), ("message", RawJSON.string(message)), ("details", detailsJSON)])
        var headers = headers
        headers[.contentType] = "application/json"
        return (HTTPResponse(status: status, headerFields: headers), ByteBuffer(string: body))
    }

    // MARK: Errors every endpoint shares

    static func storeNotFound(_ name: String, appID: String) -> Self {
        Self(.badRequest, "ERR_STATE_STORE_NOT_FOUND", "state store \(name) is not found",
             details: [.errorInfo("DAPR_STATE_NOT_FOUND", metadata: ["appID": appID])])
    }

    /// The sidecar has no state store at all (an empty components folder).
    static func storeNotConfigured(_ name: String) -> Self {
        Self(.internalServerError, "ERR_STATE_STORE_NOT_CONFIGURED", "state store \(name) is not configured",
             details: [.errorInfo("DAPR_STATE_NOT_CONFIGURED")])
    }

    /// A key containing the prefix separator `||`.
    static func illegalKey(_ key: String, store: String) -> Self {
        let description = "input key/keyPrefix '\(key)' can't contain '\(keyPrefixSeparator)'"
        return Self(.badRequest, "ERR_MALFORMED_REQUEST", description, details: [
            .errorInfo("DAPR_STATE_ILLEGAL_KEY"), .resourceInfo(store: store), .badRequest(field: key, description: description),
        ])
    }

    static func malformed(_ message: String) -> Self {
        Self(.badRequest, "ERR_MALFORMED_REQUEST", message)
    }

    static func bodyTooLarge(limit: Int) -> Self {
        Self(.contentTooLarge, "ERR_BODY_READ", "the request body is larger than \(limit) bytes")
    }

    /// The answer to anything unexpected: nothing of the cause reaches the client.
    static let `internal` = Self(.internalServerError, "ERR_INTERNAL", "internal error; see the sidecar's log")
}

/// The state operation a ``StateError`` came from: picks Dapr's error code and message.
enum StateOperationKind {
    case save(store: String)
    case get(store: String, key: String)
    case delete(key: String)
    case bulkGet
    case transaction
    case query(store: String)
    case keys(store: String)

    var errorCode: String {
        switch self {
        case .save: "ERR_STATE_SAVE"
        case .get: "ERR_STATE_GET"
        case .delete: "ERR_STATE_DELETE"
        case .bulkGet: "ERR_STATE_BULK_GET"
        case .transaction: "ERR_STATE_TRANSACTION"
        case .query: "ERR_STATE_QUERY"
        case .keys: "ERR_STATE_KEYS"
        }
    }

    /// Dapr's message around a store error.
    func message(_ detail: String) -> String {
        switch self {
        case .save(let store): "failed saving state in state store \(store): \(detail)"
        case .get(let store, let key): "fail to get \(key) from state store \(store): \(detail)"
        case .delete(let key): "failed deleting state with key \(key): \(detail)"
        case .bulkGet: "failed getting bulk state: \(detail)"
        case .transaction: "error while executing state transaction: \(detail)"
        case .query(let store): "state store \(store) query failed: \(detail)"
        case .keys(let store): "state store \(store) failed listing keys: \(detail)"
        }
    }
}

extension DaprAPIError {
    /// Seconds a client should wait after a 503 (our addition: Dapr answers 500 when a store is down).
    static let retryAfterSeconds = 1

    /// Dapr's answer to a store error of `operation`:
    /// - invalid request (empty key, `||`, bad TTL, bad query) → 400 `ERR_MALFORMED_REQUEST`
    ///   (query: 400 `ERR_STATE_QUERY`);
    /// - invalid ETag → 400, ETag mismatch or first-write conflict → 409, with the operation's code,
    ///   in a transaction too (Dapr: 500 `ERR_STATE_TRANSACTION`; a conflict is the client's to
    ///   resolve, never a server error, and the gRPC API answers `ABORTED` for it);
    /// - unsupported (query or transaction on a store without them) → 400
    ///   `ERR_STATE_STORE_NOT_SUPPORTED` (Dapr: 500; the client asked a store for what it cannot do);
    /// - unavailable → 503 with `Retry-After` (our addition, so callers know to retry);
    /// - anything else → 500 with the operation's code.
    init(_ error: StateError, _ operation: StateOperationKind) {
        switch error.code {
        case .invalidRequest:
            if case .query = operation {
                self.init(.badRequest, operation.errorCode, operation.message(error.message), details: [.errorInfo("DAPR_STATE_QUERY_FAILED")])
            } else {
                self.init(.badRequest, "ERR_MALFORMED_REQUEST", error.message)
            }
        case .etagInvalid:
            self.init(.badRequest, operation.errorCode, operation.message(error.message))
        case .etagMismatch:
            self.init(.conflict, operation.errorCode, operation.message("possible etag mismatch. error from state store: \(error.message)"))
        case .unsupported:
            let reason = if case .query = operation { "DAPR_STATE_QUERYING_NOT_SUPPORTED" } else { "DAPR_STATE_TRANSACTIONS_NOT_SUPPORTED" }
            self.init(.badRequest, "ERR_STATE_STORE_NOT_SUPPORTED", error.message, details: [.errorInfo(reason)])
        case .unavailable:
            self.init(
                .serviceUnavailable, operation.errorCode, operation.message(error.message),
                headers: [.retryAfter: String(Self.retryAfterSeconds)])
        default:
            self.init(.internalServerError, operation.errorCode, operation.message(error.message))
        }
    }

    /// Runs a store call, turning its errors into Dapr's answers.
    static func mapping<T>(_ operation: StateOperationKind, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DaprAPIError {
            throw error
        } catch let error as StateError {
            throw DaprAPIError(error, operation)
        }
    }
}

/// One entry of a rich Dapr error's `details`: a `google.rpc` message in its JSON form.
struct ErrorDetail: Sendable {
    /// The detail as a JSON object.
    var json: String

    /// `google.rpc.ErrorInfo` with Dapr's domain.
    static func errorInfo(_ reason: String, metadata: [String: String] = [:]) -> Self {
        let members = metadata.sorted { $0.key < $1.key }.map { (String($0.key), RawJSON.string($0.value)) }
        return Self(json: RawJSON.object([
            ("@type", RawJSON.string("type.googleapis.com/google.rpc.ErrorInfo")), ("reason", RawJSON.string(reason)),
            ("domain", RawJSON.string("dapr.io")), ("metadata", RawJSON.object(members)),
        ]))
    }

    /// `google.rpc.ResourceInfo` naming a state store.
    static func resourceInfo(store: String) -> Self {
        Self(json: RawJSON.object([
            ("@type", RawJSON.string("type.googleapis.com/google.rpc.ResourceInfo")), ("resource_type", RawJSON.string("state")),
            ("resource_name", RawJSON.string(store)), ("owner", RawJSON.string("")), ("description", RawJSON.string("")),
        ]))
    }

    /// `google.rpc.BadRequest` with one field violation.
    static func badRequest(field: String, description: String) -> Self {
        let violation = RawJSON.object([("field", RawJSON.string(field)), ("description", RawJSON.string(description))])
        return Self(json: RawJSON.object([("@type", RawJSON.string("type.googleapis.com/google.rpc.BadRequest")), ("field_violations", "[" + violation + "]")]))
    }
}
