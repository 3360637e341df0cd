import Foundation

/// A buyer's basket as it is stored (state key `basket-api||<buyerId>`): each line keeps the
/// catalog's name, picture and price at the time it was added, so a price change can be shown
/// (`oldUnitPrice`) and the basket can be answered while Catalog is down.
struct StoredBasket: Codable, Sendable, Equatable {
    var buyerId: String
    /// A new random value on every write: the basket's HTTP `ETag`. (The store's own ETag is not
    /// returned by a save, so the basket carries one it knows before writing.)
    var version: String
    var items: [StoredBasketItem]
    /// The checkout that emptied this basket, until its order is submitted or the basket is saved.
    var checkout: CheckoutMark?

    /// The version of a basket that was never stored.
    static let absentVersion = "0"

    init(buyerId: String, version: String = StoredBasket.absentVersion, items: [StoredBasketItem] = [], checkout: CheckoutMark? = nil) {
        self.buyerId = buyerId
        self.version = version
        self.items = items
        self.checkout = checkout
    }
}

/// One line of a stored basket.
struct StoredBasketItem: Codable, Sendable, Equatable {
    var productId: Int
    var productName: String
    /// The catalog price when the line was added (or last re-priced by a write).
    var unitPrice: Decimal
    var quantity: Int
    var pictureUrl: String
}

/// The checkout that emptied a basket, whose order is not submitted yet: its request id (the order
/// id). It lets a retry of that checkout under a new key answer the same order, and lets
/// `OrderStatusChangedToSubmitted` delete the emptied basket.
struct CheckoutMark: Codable, Sendable, Equatable {
    var requestId: UUID
}
