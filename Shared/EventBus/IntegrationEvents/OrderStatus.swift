/// The states of an order (ARCHITECTURE.md "Events"): `submitted → awaitingStockValidation →
/// stockConfirmed → paid → shipped`, with `cancelled` reachable from every state before `paid`.
public enum OrderStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case submitted
    case awaitingStockValidation
    case stockConfirmed
    case paid
    case shipped
    case cancelled
}

/// A product and how many units of it an order holds.
public struct OrderStockItem: Codable, Sendable, Hashable {
    public var productId: Int
    public var units: Int

    public init(productId: Int, units: Int) {
        self.productId = productId
        self.units = units
    }
}

/// Whether the catalog had enough stock of one product of an order.
public struct ConfirmedOrderStockItem: Codable, Sendable, Hashable {
    public var productId: Int
    public var hasStock: Bool

    public init(productId: Int, hasStock: Bool) {
        self.productId = productId
        self.hasStock = hasStock
    }
}
