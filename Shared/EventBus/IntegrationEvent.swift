import Foundation

/// An event one service publishes for others: a Codable payload with an id and a creation date.
///
/// ```swift
/// struct ProductPriceChanged: IntegrationEvent {
///     var id = UUID()
///     var creationDate = Date()
///     var productId: Int
///     var newPrice: Decimal
///     var oldPrice: Decimal
/// }
/// try await bus.publish(ProductPriceChanged(productId: 1, newPrice: 9, oldPrice: 10))
/// ```
///
/// The topic (the Redis stream) is the event's name, ``topic``; the event's `id` is the
/// CloudEvents `id`, which handlers are deduplicated by, so never reuse one for a different event.
public protocol IntegrationEvent: Codable, Sendable {
    /// The topic the event travels on; by default the type's name (`ProductPriceChanged`).
    static var topic: String { get }
    /// Unique per event; a redelivered or republished event keeps it.
    var id: UUID { get }
    /// When the event was created (the CloudEvents `time`).
    var creationDate: Date { get }
}

extension IntegrationEvent {
    public static var topic: String { String(describing: Self.self) }
}
