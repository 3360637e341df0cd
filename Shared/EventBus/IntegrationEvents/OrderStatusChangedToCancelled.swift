import Foundation

/// Ordering → its read model and clients: the order was cancelled (by the buyer, for lack of stock, or a failed payment).
public struct OrderStatusChangedToCancelled: IntegrationEvent, Hashable {
    @LowercaseUUID public var id: UUID
    public var creationDate: Date
    @LowercaseUUID public var orderId: UUID
    public var orderStatus: OrderStatus
    public var description: String
    public var buyerId: String

    public init(orderId: UUID, orderStatus: OrderStatus, description: String, buyerId: String, id: UUID = UUID(), creationDate: Date = Date()) {
        self.id = id
        self.creationDate = creationDate
        self.orderId = orderId
        self.orderStatus = orderStatus
        self.description = description
        self.buyerId = buyerId
    }
}
