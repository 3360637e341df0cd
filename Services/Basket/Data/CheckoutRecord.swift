import Foundation

/// A checkout accepted under an `X-Request-Id` (state key `basket-api||checkout-<request id>`):
/// a repeated request with the same id gets the same answer and publishes nothing.
struct CheckoutRecord: Codable, Sendable, Equatable {
    var buyerId: String
    var orderId: UUID

    /// The state key of the checkout with `requestId`.
    static func key(_ requestId: UUID) -> String { "checkout-\(requestId.uuidString.lowercased())" }

    /// How long a request id is remembered (7 days): far longer than any client retries.
    static let ttlInSeconds = 7 * 24 * 3_600
}
