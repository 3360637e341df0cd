import Foundation
import Hummingbird

/// An RFC 9457 problem: the body of every non-2xx response a service produces
/// (`Content-Type: application/problem+json`).
///
/// Throw it from a handler; ``ProblemMiddleware`` turns every other error into one too.
///
/// ```swift
/// throw ProblemDetails(.badRequest, detail: "quantity must be 1…99", errors: ["items[0].quantity": ["must be 1…99"]])
/// ```
public struct ProblemDetails: Error, Sendable, Equatable, Codable, HTTPResponseError {
    /// A URI naming the problem type; `about:blank` means "see the status code".
    public var type: String
    /// A short summary of the problem type (the status' reason phrase by default).
    public var title: String
    /// The HTTP status code, repeated in the body as RFC 9457 recommends.
    public var statusCode: Int
    /// What went wrong in this occurrence, for people.
    public var detail: String?
    /// The request path this occurrence concerns.
    public var instance: String?
    /// Validation errors by field name, each with one or more messages.
    public var errors: [String: [String]]?
    /// Seconds after which a retry may succeed (sent as `Retry-After`, for 503 and 429).
    public var retryAfterSeconds: Int?
    /// The authentication challenge (sent as `WWW-Authenticate`, for 401 and 403).
    public var challenge: String?

    enum CodingKeys: String, CodingKey {
        case type, title, statusCode = "status", detail, instance, errors
    }

    public init(
        _ status: HTTPResponse.Status,
        detail: String? = nil,
        type: String = "about:blank",
        title: String? = nil,
        errors: [String: [String]]? = nil,
        retryAfterSeconds: Int? = nil,
        challenge: String? = nil
    ) {
        self.type = type
        self.title = title ?? status.reasonPhrase
        self.statusCode = status.code
        self.detail = detail
        self.errors = errors
        self.retryAfterSeconds = retryAfterSeconds
        self.challenge = challenge
    }

    /// The media type of a problem body.
    public static let mediaType = "application/problem+json"

    public var status: HTTPResponse.Status { HTTPResponse.Status(code: statusCode) }

    public var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: Self.mediaType]
        if let retryAfterSeconds { fields[.retryAfter] = String(retryAfterSeconds) }
        if let challenge { fields[.wwwAuthenticate] = challenge }
        return fields
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var problem = self
        if problem.instance == nil { problem.instance = request.uri.path }
        return problem.response(allocator: ByteBufferAllocator())
    }

    /// The response carrying this problem.
    public func response(allocator: ByteBufferAllocator) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)) ?? Data(#"{"title":"Internal Server Error","status":500}"#.utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: allocator.buffer(bytes: body)))
    }
}
