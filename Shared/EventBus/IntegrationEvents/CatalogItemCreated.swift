import Foundation

/// Catalog → model worker (indexes the item for semantic search); published through the
/// catalog's outbox in the transaction that inserted the item. Carries the item's text so a
/// subscriber can act on it, but subscribers that need the item's current state read it from
/// Catalog (events of different topics may arrive in any order).
public struct CatalogItemCreated: IntegrationEvent, Hashable {
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
