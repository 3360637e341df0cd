/// An event bus operation that failed, with a ``Code`` to switch on.
public struct EventBusError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A message is not a CloudEvents 1.0 JSON envelope, or its data is not the subscribed type.
        /// Such a message is dead-lettered at once: no retry can fix it.
        public static let malformedEnvelope = Code("malformedEnvelope")
        /// A stream entry lacks the envelope field.
        public static let malformedEntry = Code("malformedEntry")
        /// Redis answered something the bus does not understand.
        public static let unexpectedReply = Code("unexpectedReply")
        /// No dead letter has the given id.
        public static let notFound = Code("notFound")

        public var description: String { name }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "event bus \(code): \(message)" }
}
