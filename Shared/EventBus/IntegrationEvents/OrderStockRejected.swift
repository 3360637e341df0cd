import Foundation

/// Catalog → ordering (cancels the order): at least one item is short.
public struct OrderStockRejected: IntegrationEvent, Hashable {
    @LowercaseUUID public var id: UUID
    public var creationDate: Date
    @LowercaseUUID public var orderId: UUID
    public var orderStockItems: [ConfirmedOrderStockItem]

    public init(orderId: UUID, orderStockItems: [ConfirmedOrderStockItem], id: UUID = UUID(), creationDate: Date = Date()) {
        self.id = id
        self.creationDate = creationDate
        self.orderId = orderId
        self.orderStockItems = orderStockItems
    }
}
