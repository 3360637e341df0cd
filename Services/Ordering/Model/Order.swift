import EventBus
import Foundation

/// An order as Ordering stores it: one state item `ordering-api||<id>` in the order store,
/// written as JSON with ``EventJSON``'s dates (RFC 3339, milliseconds, UTC), so that the state
/// query API can filter on `buyerId` and `status` and sort on `createdAt`.
struct Order: Codable, Sendable, Hashable {
    /// The checkout's request id, lower case.
    var orderId: String
    var buyerId: String
    var buyerName: String
    var buyerEmail: String
    var address: Address
    var items: [Item]
    /// Σ unitPrice × units, in the catalog's currency.
    var total: Decimal
    var status: OrderStatus
    var createdAt: Date
    /// Every status the order had, oldest first, with when it entered it.
    var statusHistory: [StatusChange]
    /// Why the order was cancelled (the products short of stock, the payment, or the buyer).
    var cancelReason: String?
    /// The durable grace-period timer: while the order is `submitted`, the instant from which it
    /// moves to `awaitingStockValidation` (``GracePeriodTimer`` fires it). `nil` once fired.
    var gracePeriodEndsAt: Date?
    /// The span that created the order (the checkout event's handler), so the grace-period timer,
    /// firing in a poll long after, continues the checkout's trace. `nil` when tracing is off.
    var trace: TraceContextHeaders?

    struct Address: Codable, Sendable, Hashable {
        var street: String
        var city: String
        var state: String
        var country: String
        var zipCode: String
    }

    struct Item: Codable, Sendable, Hashable {
        var productId: Int
        var productName: String
        var unitPrice: Decimal
        var units: Int
        var pictureUrl: String?
    }

    struct StatusChange: Codable, Sendable, Hashable {
        var status: OrderStatus
        var at: Date
    }

    /// The `submitted` order of an accepted checkout, its grace period ending `gracePeriod` after `now`.
    init(_ checkout: UserCheckoutAccepted, gracePeriod: Duration, now: Date) {
        orderId = checkout.requestId.lowercasedString
        buyerId = checkout.userId
        buyerName = checkout.userName
        buyerEmail = checkout.userEmail
        address = Address(street: checkout.street, city: checkout.city, state: checkout.state, country: checkout.country, zipCode: checkout.zipCode)
        items = checkout.basket.items.map {
            Item(productId: $0.productId, productName: $0.productName, unitPrice: $0.unitPrice, units: $0.quantity, pictureUrl: $0.pictureUrl)
        }
        total = items.reduce(Decimal(0)) { $0 + $1.unitPrice * Decimal($1.units) }
        status = .submitted
        createdAt = now
        statusHistory = [StatusChange(status: .submitted, at: now)]
        gracePeriodEndsAt = now.addingTimeInterval(TimeInterval(gracePeriod.components.seconds) + TimeInterval(gracePeriod.components.attoseconds) / 1e18)
        let trace = TraceContextHeaders.current
        self.trace = trace.traceparent == nil ? nil : trace
    }

    /// The order after `trigger` at `now`, or ``OrderTransitionRefused`` when the process forbids it.
    func applying(_ trigger: OrderTrigger, at now: Date) throws(OrderTransitionRefused) -> Order {
        guard let next = OrderStateMachine.next(from: status, on: trigger) else {
            throw OrderTransitionRefused(orderId: orderId, status: status, trigger: trigger)
        }
        var order = self
        order.status = next
        order.statusHistory.append(StatusChange(status: next, at: now))
        order.gracePeriodEndsAt = nil
        switch trigger {
        case .stockRejected(let productIds):
            let short = items.filter { productIds.contains($0.productId) }.map { "\($0.productName) (product \($0.productId))" }
            order.cancelReason = "not enough stock of \(short.joined(separator: ", "))"
        case .paymentFailed: order.cancelReason = "the payment was refused"
        case .cancelledByBuyer: order.cancelReason = "cancelled by the buyer"
        default: break
        }
        return order
    }

    /// The units of each product, as stock events carry them.
    var stockItems: [OrderStockItem] {
        items.map { OrderStockItem(productId: $0.productId, units: $0.units) }
    }

    /// The event announcing the order's current status (the outbox entry of its last transition).
    func statusEvent(at now: Date) -> any IntegrationEvent {
        let id = UUID(uuidString: orderId) ?? UUID()
        let description = cancelReason ?? "order \(orderId) is \(status.rawValue)"
        return switch status {
        case .submitted: OrderStatusChangedToSubmitted(orderId: id, orderStatus: status, buyerId: buyerId, buyerEmail: buyerEmail, creationDate: now)
        case .awaitingStockValidation:
            OrderStatusChangedToAwaitingStockValidation(
                orderId: id, orderStatus: status, description: description, orderStockItems: stockItems, buyerId: buyerId, creationDate: now)
        case .stockConfirmed: OrderStatusChangedToValidated(orderId: id, orderStatus: status, description: description, total: total, buyerId: buyerId, creationDate: now)
        case .paid: OrderStatusChangedToPaid(orderId: id, orderStatus: status, description: description, orderStockItems: stockItems, buyerId: buyerId, creationDate: now)
        case .shipped: OrderStatusChangedToShipped(orderId: id, orderStatus: status, description: description, buyerId: buyerId, creationDate: now)
        case .cancelled:
            OrderStatusChangedToCancelled(orderId: id, orderStatus: status, description: description, buyerId: buyerId, creationDate: now)
        }
    }
}

/// A transition the order process forbids (answered 409 by the API; ignored by event handlers,
/// since a redelivered or late event finds the order already moved on).
struct OrderTransitionRefused: Error, Hashable, CustomStringConvertible {
    var orderId: String
    var status: OrderStatus
    var trigger: OrderTrigger

    var description: String { "order \(orderId) is \(status.rawValue): \(trigger) is not allowed" }
}

extension UUID {
    /// The lower-case form every id the system writes uses.
    var lowercasedString: String { uuidString.lowercased() }
}
