import Hummingbird
import StateClient

/// Maps the state client's failures that are not the caller's mistake to HTTP statuses, the same
/// way on every service that keeps its data through the state client:
///
/// - the store is unavailable (``StateError/Code/unavailable``: Redis or PostgreSQL down) → 503
///   problem+json with `Retry-After`, never a 500;
/// - a compare-and-set write that kept losing to other writers
///   (``StateError/Code/etagMismatch`` left over after the service's retries) → 409.
///
/// `subject` names what is stored, in the answers' `detail` ("the basket store is unavailable").
public struct StateStoreErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public static var retryAfterSeconds: Int { 2 }
    public let subject: String

    public init(subject: String) {
        self.subject = subject
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as StateError where error.code == .unavailable {
            context.logger.warning("\(subject) store unavailable", metadata: ["error": "\(error)"])
            throw ProblemDetails(
                .serviceUnavailable, detail: "the \(subject) store is unavailable; retry later", retryAfterSeconds: Self.retryAfterSeconds)
        } catch let error as StateError where error.code == .etagMismatch {
            throw ProblemDetails(.conflict, detail: "the \(subject) kept changing while it was written; try again")
        }
    }
}
