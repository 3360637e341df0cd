import Foundation

/// Catalog → ordering: every item of the order is in stock.
public struct OrderStockConfirmed: IntegrationEvent, Hashable {
    @LowercaseUUID public var id: UUID
    public var creationDate: Date
    @LowercaseUUID public var orderId: UUID

    public init(orderId: UUID, id: UUID = UUID(), creationDate: Date = Date()) {
        self.id = id
        self.creationDate = creationDate
        self.orderId = orderId
    }
}
