import Foundation

/// A UUID written in JSON in lower case (`"5b0c…"`), the one form every id the system writes
/// takes: order ids, payment ids, request ids, event ids, in API answers and event fields alike.
/// Foundation writes `UUID` in capitals; this wrapper is how integration events avoid that.
/// Reading accepts either case.
///
/// ```swift
/// public struct OrderPaymentSucceeded: IntegrationEvent {
///     @LowercaseUUID public var id: UUID
///     @LowercaseUUID public var orderId: UUID
/// }
/// ```
@propertyWrapper
public struct LowercaseUUID: Codable, Sendable, Hashable {
    public var wrappedValue: UUID

    public init(wrappedValue: UUID) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode(UUID.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue.uuidString.lowercased())
    }
}
