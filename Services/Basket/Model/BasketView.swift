import Foundation

/// The basket as `GET`/`PUT /api/v1/basket` answer it, priced with the catalog's current prices.
struct BasketView: Encodable, Sendable, Equatable {
    struct Item: Encodable, Sendable, Equatable {
        var productId: Int
        var productName: String
        /// The catalog's current price (the stored one while Catalog is down).
        var unitPrice: Decimal
        /// The price when the item was added, present only when it differs from `unitPrice`.
        var oldUnitPrice: Decimal?
        var quantity: Int
        var pictureUrl: String
    }

    var buyerId: String
    var items: [Item]
    /// Σ unitPrice × quantity, exact.
    var total: Decimal

    /// `basket` priced with `products` (current catalog data); lines without a current product
    /// keep their stored price.
    init(_ basket: StoredBasket, products: [Int: Product]) {
        buyerId = basket.buyerId
        items = basket.items.map { stored in
            let current = products[stored.productId]?.price ?? stored.unitPrice
            return Item(
                productId: stored.productId, productName: stored.productName, unitPrice: current,
                oldUnitPrice: current == stored.unitPrice ? nil : stored.unitPrice, quantity: stored.quantity, pictureUrl: stored.pictureUrl)
        }
        total = items.reduce(Decimal(0)) { $0 + $1.unitPrice * Decimal($1.quantity) }
    }
}
