import Foundation

/// Catalog → model worker (re-indexes the item when its text changed); published through the
/// catalog's outbox in the transaction that replaced the item's fields. Carries the item's text so a
/// subscriber can act on it, but subscribers that need the item's current state read it from
/// Catalog (events of different topics may arrive in any order).
public struct CatalogItemUpdated: IntegrationEvent, Hashable {
    @LowercaseUUID public var id: UUID
    public var creationDate: Date
    public var productId: Int
    public var name: String
    public var description: String
    public var price: Decimal
    public var catalogTypeId: Int
    public var catalogBrandId: Int

    public init(
        productId: Int, name: String, description: String, price: Decimal, catalogTypeId: Int, catalogBrandId: Int, id: UUID = UUID(),
        creationDate: Date = Date()
    ) {
        self.id = id
        self.creationDate = creationDate
        self.productId = productId
        self.name = name
        self.description = description
        self.price = price
        self.catalogTypeId = catalogTypeId
        self.catalogBrandId = catalogBrandId
    }
}
