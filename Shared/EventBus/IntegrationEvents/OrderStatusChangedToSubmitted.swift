import Foundation

/// Ordering → basket (clears the buyer's basket) and ordering's read model: the order was created.
public struct OrderStatusChangedToSubmitted: IntegrationEvent, Hashable {
    @LowercaseUUID public var id: UUID
    public var creationDate: Date
    @LowercaseUUID public var orderId: UUID
    public var orderStatus: OrderStatus
    public var buyerId: String
    public var buyerEmail: String

    public init(orderId: UUID, orderStatus: OrderStatus, buyerId: String, buyerEmail: String, id: UUID = UUID(), creationDate: Date = Date()) {
        self.id = id
        self.creationDate = creationDate
        self.orderId = orderId
        self.orderStatus = orderStatus
        self.buyerId = buyerId
        self.buyerEmail = buyerEmail
    }
}
