import EventBus
import Foundation
import Logging
import ServiceDefaults
import StateClient

/// What the basket API does, apart from HTTP: reads priced by Catalog, compare-and-set writes
/// (through ``BasketRepository/update(_:_:)``), checkout through the outbox, and the reactions to
/// order and price events.
struct BasketService: Sendable {
    let repository: BasketRepository
    let catalog: CachedProductCatalog
    /// Tells the outbox relay to publish now (after a checkout committed its event).
    let wakeRelay: @Sendable () -> Void
    let logger: Logger

    // MARK: Reads

    /// The buyer's basket priced with current catalog prices; while Catalog is down, with the
    /// stored ones (the basket is still answered).
    func basket(of buyerId: String) async throws -> (view: BasketView, version: String) {
        let basket = try await repository.basket(of: buyerId)
        return (BasketView(basket, products: await currentProducts(basket)), basket.version)
    }

    private func currentProducts(_ basket: StoredBasket) async -> [Int: Product] {
        guard !basket.items.isEmpty else { return [:] }
        do {
            return try await catalog.products(basket.items.map(\.productId))
        } catch {
            logger.warning("answering the basket with stored prices", metadata: ["error": "\(error)"])
            return [:]
        }
    }

    // MARK: Writes

    /// Replaces the buyer's items with `update`, named and priced by Catalog. With `ifMatch`
    /// (versions from earlier reads, or `*`), only if the basket is still one of them.
    func replace(_ buyerId: String, with update: BasketUpdate, ifMatch: EntityTagCondition?) async throws -> (view: BasketView, version: String) {
        let ids = update.lines.map(\.productId)
        let products = try await catalog.products(ids)
        let unknown = ids.filter { products[$0] == nil }
        guard unknown.isEmpty else {
            throw ProblemDetails(
                .badRequest, detail: "unknown product ids: \(unknown.map(String.init).joined(separator: ", "))",
                errors: ["items": unknown.map { "product \($0) does not exist" }])
        }
        let written = try await repository.update(buyerId) { basket in
            try Self.check(ifMatch, basket)
            var changed = basket
            changed.checkout = nil  // a save after checkout starts a new basket
            changed.items = update.lines.compactMap { line in
                guard let product = products[line.productId] else { return nil }  // none: unknown ids were refused above
                // Saving the basket accepts the current prices; a later change shows as oldUnitPrice.
                return StoredBasketItem(
                    productId: product.id, productName: product.name, unitPrice: product.price, quantity: line.quantity, pictureUrl: product.pictureUrl)
            }
            return (.replace(changed), ())
        }.basket
        return (BasketView(written, products: products), written.version)
    }

    /// Deletes the buyer's basket; with `ifMatch`, only if it is still one of those versions.
    func delete(_ buyerId: String, ifMatch: EntityTagCondition?) async throws {
        guard let ifMatch else { return try await repository.delete(buyerId) }
        _ = try await repository.update(buyerId) { basket in
            try Self.check(ifMatch, basket)
            return (.delete, ())
        }
    }

    /// `If-Match` against the basket's version, by strong comparison (RFC 9110 §13.1.1); a basket
    /// that was never stored has the version `"0"`, which its `GET` answers.
    private static func check(_ ifMatch: EntityTagCondition?, _ basket: StoredBasket) throws {
        if let ifMatch, !ifMatch.ifMatch(current: basket.version) { throw changedMeanwhile }
    }

    static let changedMeanwhile = ProblemDetails(
        .preconditionFailed, detail: "the basket changed since it was read (If-Match does not match its ETag); read it again")

    // MARK: Checkout

    /// Accepts the checkout of the buyer's basket under `idempotencyKey`, which becomes the order
    /// id: empties the basket (marking it with the pending checkout), records the key and stores
    /// `UserCheckoutAccepted` in the outbox, in one state transaction. The same key again answers
    /// the same order id and publishes nothing; so does a new key for a basket checked out and
    /// not saved since. A basket saved after a checkout is a new one: its checkout is a new order.
    ///
    /// Every line is checked against Catalog first: a product no longer sold, or a price that
    /// changed since the buyer last saved the basket, is a 409 naming the lines — the buyer reads
    /// the basket (`GET` shows both prices), saves it to accept the current prices, and checks
    /// out again. Catalog down → 503: nothing is checked out at prices nobody can confirm.
    func checkout(_ user: AuthenticatedUser, idempotencyKey: UUID, _ checkout: ValidCheckout) async throws -> UUID {
        let orderId = try await repository.update(user.buyerID) { basket -> (BasketRepository.Change, UUID) in
            if let record = try await repository.checkout(idempotencyKey) {
                guard record.buyerId == user.buyerID else {
                    throw ProblemDetails(.conflict, detail: "this Idempotency-Key was used for another checkout; send a new one")
                }
                return (.keep, record.orderId)
            }
            guard !basket.items.isEmpty else {
                // Checked out already, nothing added since: a retry under a new key is the same order.
                if let pending = basket.checkout { return (.keep, pending.requestId) }
                throw ProblemDetails(.badRequest, detail: "the basket is empty; add items before checking out")
            }
            let products = try await catalog.products(basket.items.map(\.productId))
            try Self.checkStillSold(basket, products)
            let event = UserCheckoutAccepted(user: user, requestId: idempotencyKey, checkout: checkout, basket: BasketView(basket, products: products))
            var checkedOut = basket
            checkedOut.items = []
            checkedOut.checkout = CheckoutMark(requestId: idempotencyKey)
            return (.checkOut(checkedOut, CheckoutRecord(buyerId: user.buyerID, orderId: idempotencyKey), event), idempotencyKey)
        }.result
        wakeRelay()
        logger.info("checkout accepted", metadata: ["order.id": "\(orderId.uuidString.lowercased())"])
        return orderId
    }

    /// 409 naming each line whose product is gone or whose price is not the one saved.
    private static func checkStillSold(_ basket: StoredBasket, _ products: [Int: Product]) throws {
        var errors: [String: [String]] = [:]
        for (index, item) in basket.items.enumerated() {
            guard let product = products[item.productId] else {
                errors["items[\(index)]", default: []].append("product \(item.productId) is no longer sold; remove it")
                continue
            }
            if product.price != item.unitPrice {
                errors["items[\(index)]", default: []].append(
                    "the price of product \(item.productId) changed from \(item.unitPrice) to \(product.price); save the basket to accept it")
            }
        }
        guard errors.isEmpty else {
            throw ProblemDetails(.conflict, detail: "the basket changed in the catalog since it was saved; read it, save it, and check out again", errors: errors)
        }
    }

    // MARK: Events

    /// `OrderStatusChangedToSubmitted`: deletes the buyer's basket when it is still the one that
    /// checkout emptied. Nothing happens when the buyer saved the basket since (a save clears the
    /// mark: what was added is a new basket, and stays) or when it carries another checkout.
    func orderSubmitted(buyerId: String, orderId: UUID) async throws {
        _ = try await repository.update(buyerId) { basket in
            guard basket.checkout?.requestId == orderId else { return (.keep, ()) }
            return (.delete, ())
        }
    }

    /// `ProductPriceChanged`: the next read asks Catalog for the product's price.
    func priceChanged(productId: Int) {
        catalog.invalidate(productId)
    }
}

extension UserCheckoutAccepted {
    /// The event of an accepted checkout: the buyer from the token, the address, the card's
    /// holder, last four digits and expiry (never its number or code), and the priced basket.
    init(user: AuthenticatedUser, requestId: UUID, checkout: ValidCheckout, basket: BasketView) {
        self.init(
            userId: user.buyerID, userName: user.name, userEmail: checkout.userEmail ?? user.email, city: checkout.city,
            street: checkout.street, state: checkout.state, country: checkout.country, zipCode: checkout.zipCode,
            cardHolderName: checkout.cardHolderName, cardLastFourDigits: checkout.cardLastFourDigits, cardExpiration: checkout.cardExpiresAt,
            requestId: requestId,
            basket: CustomerBasket(
                buyerId: basket.buyerId,
                items: basket.items.map {
                    BasketItem(productId: $0.productId, productName: $0.productName, unitPrice: $0.unitPrice, quantity: $0.quantity, pictureUrl: $0.pictureUrl)
                }))
    }
}
