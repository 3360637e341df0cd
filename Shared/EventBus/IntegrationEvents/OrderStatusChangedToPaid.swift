import Foundation

/// Ordering → catalog (removes the units from stock): the order was paid.
public struct OrderStatusChangedToPaid: IntegrationEvent, Hashable {
    @LowercaseUUID public var id: UUID
    public var creationDate: Date
    @LowercaseUUID public var orderId: UUID
    public var orderStatus: OrderStatus
    public var description: String
    public var orderStockItems: [OrderStockItem]
    public var buyerId: String

    public init(orderId: UUID, orderStatus: OrderStatus, description: String, orderStockItems: [OrderStockItem], buyerId: String, id: UUID = UUID(), creationDate: Date = Date()) {
        self.id = id
        self.creationDate = creationDate
        self.orderId = orderId
        self.orderStatus = orderStatus
        self.description = description
        self.orderStockItems = orderStockItems
        self.buyerId = buyerId
    }
}
