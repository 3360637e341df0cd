import Logging
import PostgresNIO
import StateClient

extension PostgresStateStore {
    /// Runs `body`, translating what PostgresNIO throws into a ``StateError``:
    ///
    /// - a `StateError` stays as it is; task cancellation stays a `CancellationError`;
    /// - an outage (`PSQLError.isOutage`: connection failures and the server's connection-level
    ///   SQLSTATE classes), or any other error from the pool or the network → ``StateError/Code/unavailable``;
    /// - any other SQL error → ``StateError/Code/storeFailure``.
    ///
    /// Messages name the operation and the SQLSTATE only: PostgreSQL's own messages can quote
    /// bound values, so they never reach a `StateError`; they are logged at debug level.
    func mappingErrors<Result>(_ operation: String, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch {
            throw translate(error, operation: operation)
        }
    }

    func translate(_ error: any Error, operation: String) -> any Error {
        switch error {
        case let error as StateError:
            return error
        case let error as CancellationError:
            return error
        case let error as PostgresTransactionError:
            // The closure's own error first (our `StateError`s), then BEGIN/COMMIT failures.
            if let inner = error.closureError ?? error.beginError ?? error.commitError {
                return translate(inner, operation: operation)
            }
            return StateError(.storeFailure, "PostgreSQL \(operation) failed in its transaction")
        case let error as PSQLError:
            return translate(error, operation: operation)
        case is PostgresDecodingError:
            return StateError(.storeFailure, "PostgreSQL \(operation): unexpected result (decoding failed)")
        default:
            // Everything else PostgresNIO throws comes from the connection pool or the network.
            logger.debug("PostgreSQL unreachable", metadata: ["postgres.operation": "\(operation)", "error.type": "\(type(of: error))"])
            return StateError(.unavailable, "PostgreSQL is unavailable during \(operation) (\(type(of: error)))")
        }
    }

    private func translate(_ error: PSQLError, operation: String) -> StateError {
        let sqlState = error.serverInfo?[.sqlState] ?? "?????"
        logger.debug(
            "PostgreSQL error",
            metadata: [
                "postgres.operation": "\(operation)", "postgres.error": "\(error.code)", "postgres.sqlstate": "\(sqlState)",
                "postgres.message": "\(error.serverInfo?[.message] ?? "")",
            ])
        let what = error.code == .server ? "SQLSTATE \(sqlState)" : "\(error.code)"
        guard error.isOutage else { return StateError(.storeFailure, "PostgreSQL \(operation) failed (\(what))") }
        return StateError(.unavailable, "PostgreSQL is unavailable during \(operation) (\(what))")
    }
}
