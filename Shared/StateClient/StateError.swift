/// A state operation that failed, with a ``Code`` to switch on.
public struct StateError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The ETag did not match, the key was absent while an ETag was given, or a first-write
        /// found the key taken. HTTP 409.
        public static let etagMismatch = Code("etagMismatch")
        /// The ETag is not a valid ETag: ETags are non-negative decimal integers within `Int64`,
        /// written without sign or leading zeros (``ETag/parse(_:)``). HTTP 400.
        public static let etagInvalid = Code("etagInvalid")
        /// The request itself is wrong: an empty key, `||` in a key, a bad TTL or query. HTTP 400.
        public static let invalidRequest = Code("invalidRequest")
        /// The item does not exist (where that is an error). HTTP 404.
        public static let notFound = Code("notFound")
        /// The store lacks the capability. Dapr answers 500 `ERR_STATE_STORE_NOT_SUPPORTED`.
        public static let unsupported = Code("unsupported")
        /// The store cannot be reached or is failing: retry later. HTTP 503 with Retry-After.
        public static let unavailable = Code("unavailable")
        /// Anything else the store reported. HTTP 500.
        public static let storeFailure = Code("storeFailure")

        public var description: String { name }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Wraps any error: a `StateError` stays as it is, anything else becomes ``Code/storeFailure``.
    public init(_ error: any Error) {
        self = error as? StateError ?? StateError(.storeFailure, "\(error)")
    }

    public var description: String { "state \(code): \(message)" }
}

/// ETags are decimal integers on every store.
public enum ETag {
    /// The ETag as an integer, or ``StateError/Code/etagInvalid``.
    public static func parse(_ etag: String) throws(StateError) -> Int64 {
        guard let value = Int64(etag), value >= 0, String(value) == etag else {
            throw StateError(.etagInvalid, "invalid etag value: '\(etag)' is not an integer")
        }
        return value
    }
}
