/// An error from the Redis client: a server error reply, or a failure of the connection or pool.
///
/// Modelled on PostgresNIO's `PSQLError`: one struct, a nested ``Code`` to switch on, and a
/// message for people.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case server, connectionFailed, connectionClosed, timeout, poolExhausted
            case authenticationFailed, protocolError, unexpectedReply, clientShutdown
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server answered with an error reply (`ERR …`, `WRONGTYPE …`, `NOSCRIPT …`).
        public static let server = Code(.server)
        /// A connection could not be established (refused, unreachable, connect timeout).
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection closed before the reply arrived; the command may or may not have run.
        public static let connectionClosed = Code(.connectionClosed)
        /// No reply arrived within the command timeout; the connection was closed.
        public static let timeout = Code(.timeout)
        /// Too many callers were already waiting for a shared connection (`maximumWaiters`), or
        /// every one of the `maximumConnections` connections is in use when a lease asks for one.
        public static let poolExhausted = Code(.poolExhausted)
        /// `AUTH` was refused: wrong password or user.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// hiredis could not parse what the server sent.
        public static let protocolError = Code(.protocolError)
        /// A reply did not have the shape the command expects.
        public static let unexpectedReply = Code(.unexpectedReply)
        /// The client was shut down.
        public static let clientShutdown = Code(.clientShutdown)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A human-readable message; for ``Code/server`` the server's error text.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The first word of a server error (`ERR`, `WRONGTYPE`, `NOSCRIPT`, …); `nil` for other codes.
    public var serverErrorPrefix: Substring? {
        guard code == .server else { return nil }
        return message.split(separator: " ", maxSplits: 1).first
    }

    /// `true` when retrying on a fresh connection can help: the command never reached a working
    /// server, or the connection broke. Server errors, bad replies and shutdown are not transient.
    public var isTransient: Bool {
        [.connectionFailed, .connectionClosed, .timeout, .poolExhausted].contains(code)
    }

    public var description: String { "Redis \(code): \(message)" }
}
