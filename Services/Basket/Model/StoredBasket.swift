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
    /// The checkout in progress: what was checked out, until the order is submitted.
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

/// A checkout accepted for this basket: its request id (the order id) and the quantities it took,
/// so that when the order is submitted exactly those are removed and later additions survive.
struct CheckoutMark: Codable, Sendable, Equatable {
    struct Line: Codable, Sendable, Equatable {
        var productId: Int
        var quantity: Int
    }

    var requestId: UUID
    /// What was checked out.
    var lines: [Line]
}

extension StoredBasket {
    /// The basket once the order of `mark` is submitted: the checked-out quantities removed,
    /// lines added or increased after checkout kept.
    func removingCheckedOut(_ mark: CheckoutMark) -> StoredBasket {
        var remaining = self
        remaining.checkout = nil
        let checkedOut = Dictionary(mark.lines.map { ($0.productId, $0.quantity) }, uniquingKeysWith: +)
        remaining.items = items.compactMap { item in
            var item = item
            item.quantity -= checkedOut[item.productId] ?? 0
            return item.quantity > 0 ? item : nil
        }
        return remaining
    }
}
