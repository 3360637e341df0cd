import Foundation

/// Ordering → payment (charges `total`): stock confirmed.
public struct OrderStatusChangedToValidated: IntegrationEvent, Hashable {
    @LowercaseUUID public var id: UUID
    public var creationDate: Date
    @LowercaseUUID public var orderId: UUID
    public var orderStatus: OrderStatus
    public var description: String
    public var total: Decimal
    public var buyerId: String

    public init(orderId: UUID, orderStatus: OrderStatus, description: String, total: Decimal, buyerId: String, id: UUID = UUID(), creationDate: Date = Date()) {
        self.id = id
        self.creationDate = creationDate
        self.orderId = orderId
        self.orderStatus = orderStatus
        self.description = description
        self.total = total
        self.buyerId = buyerId
    }
}
