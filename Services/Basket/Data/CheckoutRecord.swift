import Foundation

/// A checkout accepted under an idempotency key (state key `basket-api||checkout-<key>`): a
/// repeated request with the same key gets the same answer and publishes nothing.
struct CheckoutRecord: Codable, Sendable, Equatable {
    var buyerId: String
    var orderId: UUID

    /// The state key of the checkout with idempotency key `key`.
    static func key(_ key: UUID) -> String { "checkout-\(key.uuidString.lowercased())" }

    /// How long an idempotency key is remembered (7 days): far longer than any client retries.
    static let ttlInSeconds = 7 * 24 * 3_600
}
