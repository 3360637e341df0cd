import GRPCCore
import Logging
import StateClient

/// Dapr's gRPC answers to state errors: the status code of Dapr's gRPC API, and the message the
/// HTTP API gives for the same failure (``StateOperationKind``).
enum GRPCStateError {
    /// The status code of a ``StateError``:
    /// - invalid request, invalid ETag → `INVALID_ARGUMENT`;
    /// - ETag mismatch (or first-write conflict) → `ABORTED`, transactions included (Dapr answers
    ///   `INTERNAL` for a transaction; `ABORTED` tells the caller to re-read and retry);
    /// - unsupported → `UNIMPLEMENTED`; unavailable → `UNAVAILABLE`; not found → `NOT_FOUND`;
    /// - anything else → `INTERNAL`.
    static func code(_ error: StateError) -> RPCError.Code {
        switch error.code {
        case .invalidRequest, .etagInvalid: .invalidArgument
        case .etagMismatch: .aborted
        case .unsupported: .unimplemented
        case .unavailable: .unavailable
        case .notFound: .notFound
        default: .internalError
        }
    }

    static func rpcError(_ error: StateError, _ operation: StateOperationKind) -> RPCError {
        let message = switch error.code {
        case .invalidRequest, .unsupported: error.message
        case .etagMismatch: operation.message("possible etag mismatch. error from state store: \(error.message)")
        default: operation.message(error.message)
        }
        return RPCError(code: code(error), message: message)
    }
}

extension DaprGRPCService {
    /// Runs a store call, turning its errors into gRPC errors. Anything but a ``StateError`` is
    /// logged and answered `INTERNAL` without its cause, as the HTTP API's ``DaprAPIError/internal``.
    func mapping<T>(_ operation: StateOperationKind, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RPCError {
            throw error
        } catch let error as StateError {
            if GRPCStateError.code(error) == .internalError || GRPCStateError.code(error) == .unavailable {
                logger.error("state call failed", metadata: ["error": .string(error.description)])
            }
            throw GRPCStateError.rpcError(error, operation)
        } catch {
            logger.error("unexpected error", metadata: ["error": .string(String(reflecting: error))])
            throw RPCError(code: .internalError, message: "internal error; see the sidecar's log")
        }
    }
}
