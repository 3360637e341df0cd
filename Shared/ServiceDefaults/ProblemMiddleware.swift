import Hummingbird
import Logging

/// Turns every error a handler throws into an RFC 9457 problem response, and logs the unexpected
/// ones once, fully, server-side.
///
/// - ``ProblemDetails`` are sent as they are.
/// - Hummingbird's `HTTPError` (unknown routes, undecodable bodies, …) keeps its status and
///   message.
/// - `DecodingError` is a client mistake: 400 naming the field when possible.
/// - ``DependencyError`` (a database that is down or did not answer in time) is an outage: 503
///   with `Retry-After`, logged as a warning.
/// - Anything else is a bug or an outage: it is logged with `String(reflecting:)` and the client
///   gets a generic 500 that reveals nothing about the internals.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The `Retry-After` of a 503 for an unavailable dependency.
    public static var retryAfterSeconds: Int { 2 }

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var problem = Self.problem(for: error, logger: context.logger)
            problem.instance = request.uri.path
            return problem.response(allocator: ByteBufferAllocator())
        }
    }

    static func problem(for error: any Error, logger: Logger) -> ProblemDetails {
        switch error {
        case let problem as ProblemDetails:
            return problem
        case let httpError as HTTPError:
            return ProblemDetails(httpError.status, detail: httpError.body)
        case let decoding as DecodingError:
            return ProblemDetails(.badRequest, detail: Self.describe(decoding))
        case let dependency as DependencyError:
            logger.warning("dependency unavailable", metadata: ["dependency": "\(dependency.name)", "error": "\(dependency.reason)"])
            return ProblemDetails(
                .serviceUnavailable, detail: "\(dependency.name) is unavailable; retry later", retryAfterSeconds: Self.retryAfterSeconds)
        case let responseError as any HTTPResponseError where responseError.status.code < 500:
            return ProblemDetails(responseError.status)
        default:
            logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return ProblemDetails(.internalServerError, detail: "An unexpected error occurred; it has been logged.")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let joined = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return joined.hasPrefix(".") ? String(joined.dropFirst()) : joined
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field '\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type for field '\(path(context))'"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the body is not valid JSON" : "invalid value for field '\(path(context))'"
        @unknown default:
            return "the body could not be decoded"
        }
    }
}
