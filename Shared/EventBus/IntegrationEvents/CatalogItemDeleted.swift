import Foundation

/// Catalog → model worker (drops the item from the semantic index); published through the
/// catalog's outbox in the transaction that deleted the item.
public struct CatalogItemDeleted: IntegrationEvent, Hashable {
    @LowercaseUUID public var id: UUID
    public var creationDate: Date
    public var productId: Int

    public init(productId: Int, id: UUID = UUID(), creationDate: Date = Date()) {
        self.id = id
        self.creationDate = creationDate
        self.productId = productId
    }
}
