import Foundation
import HTTPTypes
import Hummingbird

/// Gives every request an id: the caller's `X-Request-Id` when it is sensible (1–128 visible
/// ASCII characters), else a new UUID. The id is added to the request's logger as `request.id`
/// and echoed in the response's `X-Request-Id`, on errors too.
public struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = request.headers[.requestID].flatMap(Self.accept) ?? UUID.random().uuidString.lowercased()
        var context = context
        context.logger[metadataKey: "request.id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    static func accept(_ candidate: String) -> String? {
        guard (1...128).contains(candidate.utf8.count),
            candidate.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { return nil }
        return candidate
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`: correlates a request across services and logs.
    public static let requestID = HTTPField.Name("X-Request-Id")!
}
