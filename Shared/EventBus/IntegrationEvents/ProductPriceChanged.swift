import Foundation

/// Catalog → basket (updates the price in baskets holding the product); published through the catalog's outbox.
public struct ProductPriceChanged: IntegrationEvent, Hashable {
    @LowercaseUUID public var id: UUID
    public var creationDate: Date
    public var productId: Int
    public var newPrice: Decimal
    public var oldPrice: Decimal

    public init(productId: Int, newPrice: Decimal, oldPrice: Decimal, id: UUID = UUID(), creationDate: Date = Date()) {
        self.id = id
        self.creationDate = creationDate
        self.productId = productId
        self.newPrice = newPrice
        self.oldPrice = oldPrice
    }
}
