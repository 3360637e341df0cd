import EventBus
import Foundation
import Logging
import ServiceDefaults
import StateClient

/// What the basket API does, apart from HTTP: reads priced by Catalog, compare-and-set writes,
/// checkout through the outbox, and the reactions to order and price events.
struct BasketService: Sendable {
    let repository: BasketRepository
    let catalog: CachedProductCatalog
    let outbox: StateOutbox
    /// Tells the outbox relay to publish now (after a checkout committed its event).
    let wakeRelay: @Sendable () -> Void
    let logger: Logger

    /// How often a write is retried when another write to the same basket came first.
    static let maximumAttempts = 10

    // MARK: Reads

    /// The buyer's basket priced with current catalog prices; while Catalog is down, with the
    /// stored ones (the basket is still answered).
    func basket(of buyerId: String) async throws -> (view: BasketView, version: String) {
        let basket = try await repository.entry(of: buyerId).basket
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
    /// (a version from an earlier read, or `*`), only if the basket is still that version.
    func replace(_ buyerId: String, with update: BasketUpdate, ifMatch: String?) async throws -> (view: BasketView, version: String) {
        let ids = update.lines.map(\.productId)
        let products = try await catalog.products(ids)
        let unknown = ids.filter { products[$0] == nil }
        guard unknown.isEmpty else {
            throw ProblemDetails(
                .badRequest, detail: "unknown product ids: \(unknown.map(String.init).joined(separator: ", "))",
                errors: ["items": unknown.map { "product \($0) does not exist" }])
        }
        for _ in 1...Self.maximumAttempts {
            let entry = try await repository.entry(of: buyerId)
            if let ifMatch, ifMatch != "*", ifMatch != entry.basket.version { throw Self.changedMeanwhile }
            var basket = entry.basket
            let previous = Dictionary(entry.basket.items.map { ($0.productId, $0) }, uniquingKeysWith: { first, _ in first })
            basket.items = update.lines.compactMap { line in
                guard let product = products[line.productId] else { return nil }  // none: unknown ids were refused above
                // A line already in the basket keeps the price it was added at, so a change shows as oldUnitPrice.
                let addedAt = previous[line.productId]?.unitPrice ?? product.price
                return StoredBasketItem(
                    productId: product.id, productName: product.name, unitPrice: addedAt, quantity: line.quantity, pictureUrl: product.pictureUrl)
            }
            do {
                let written = try await repository.replace(entry, with: basket)
                return (BasketView(written, products: products), written.version)
            } catch let error as StateError where error.code == .etagMismatch {
                if ifMatch != nil && ifMatch != "*" { throw Self.changedMeanwhile }
            }
        }
        throw ProblemDetails(.conflict, detail: "the basket kept changing; try again")
    }

    func delete(_ buyerId: String) async throws {
        try await repository.delete(buyerId)
    }

    static let changedMeanwhile = ProblemDetails(
        .preconditionFailed, detail: "the basket changed since it was read (If-Match does not match its ETag); read it again")

    // MARK: Checkout

    /// Accepts the checkout of the buyer's basket under `requestId`: marks the basket checked out,
    /// remembers the request id and stores `UserCheckoutAccepted` in the outbox, in one state
    /// transaction. The same request id again answers the same order id and publishes nothing.
    func checkout(_ user: AuthenticatedUser, requestId: UUID, _ checkout: ValidCheckout) async throws -> UUID {
        for _ in 1...Self.maximumAttempts {
            if let record = try await repository.state.get(CheckoutRecord.key(requestId), as: CheckoutRecord.self)?.value {
                guard record.buyerId == user.buyerID else {
                    throw ProblemDetails(.conflict, detail: "this X-Request-Id was used for another checkout; send a new one")
                }
                return record.orderId
            }
            let entry = try await repository.entry(of: user.buyerID)
            guard !entry.basket.items.isEmpty else { throw ProblemDetails(.badRequest, detail: "the basket is empty; add items before checking out") }
            let products = await currentProducts(entry.basket)
            var basket = entry.basket
            basket.version = UUID.random().uuidString.lowercased()
            basket.checkout = CheckoutMark(requestId: requestId, lines: basket.items.map { .init(productId: $0.productId, quantity: $0.quantity) })
            let event = UserCheckoutAccepted(user: user, requestId: requestId, checkout: checkout, basket: BasketView(entry.basket, products: products))
            let record = CheckoutRecord(buyerId: user.buyerID, orderId: requestId)
            do {
                try await outbox.transaction(
                    [
                        try repository.operation(replacing: entry, with: basket),
                        try .upsert(
                            key: CheckoutRecord.key(requestId), value: record,
                            options: SaveOptions(concurrency: .firstWrite, ttlInSeconds: CheckoutRecord.ttlInSeconds)),
                    ], publishing: [event])
                wakeRelay()
                logger.info("checkout accepted", metadata: ["order.id": "\(requestId)", "items": "\(basket.items.count)"])
                return requestId
            } catch let error as StateError where error.code == .etagMismatch {
                continue  // the basket changed or the same request raced us: look again
            }
        }
        throw ProblemDetails(.conflict, detail: "the basket kept changing during checkout; try again")
    }

    // MARK: Events

    /// `OrderStatusChangedToSubmitted`: removes what that checkout took from the buyer's basket
    /// (deleting it when nothing else is left); items added since survive. Nothing happens when
    /// the basket no longer carries that checkout (already handled, or checked out again).
    func orderSubmitted(buyerId: String, orderId: UUID) async throws {
        for _ in 1...Self.maximumAttempts {
            let entry = try await repository.entry(of: buyerId)
            guard let mark = entry.basket.checkout, mark.requestId == orderId else { return }
            let remaining = entry.basket.removingCheckedOut(mark)
            do {
                if remaining.items.isEmpty {
                    try await repository.delete(entry)
                } else {
                    _ = try await repository.replace(entry, with: remaining)
                }
                return
            } catch let error as StateError where error.code == .etagMismatch {
                continue
            }
        }
        throw StateError(.etagMismatch, "the basket of \(buyerId) kept changing")
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
