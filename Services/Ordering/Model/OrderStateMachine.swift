import EventBus

/// What can happen to an order; each is one transition of ``OrderStateMachine``.
enum OrderTrigger: Sendable, Hashable {
    /// The grace period after checkout elapsed (the durable timer fired).
    case gracePeriodElapsed
    /// Catalog confirmed (and reserved) the stock of every item.
    case stockConfirmed
    /// Catalog lacked stock of these products.
    case stockRejected(productIds: [Int])
    /// Payment charged the order.
    case paymentSucceeded
    /// Payment refused the charge.
    case paymentFailed
    /// The buyer (or an admin) cancelled the order.
    case cancelledByBuyer
    /// An admin shipped the order.
    case shipped
}

/// The order process as a pure function: which status a trigger leads to from which status, and
/// nothing else. Every transition not listed here is refused.
///
/// ```
/// submitted ──gracePeriodElapsed──▶ awaitingStockValidation ──stockConfirmed──▶ stockConfirmed
///     ──paymentSucceeded──▶ paid ──shipped──▶ shipped
/// awaitingStockValidation ──stockRejected──▶ cancelled
/// stockConfirmed ──paymentFailed──▶ cancelled
/// submitted | awaitingStockValidation | stockConfirmed ──cancelledByBuyer──▶ cancelled
/// ```
enum OrderStateMachine {
    /// The status `trigger` moves an order in `status` to, or `nil` when the process forbids it.
    static func next(from status: OrderStatus, on trigger: OrderTrigger) -> OrderStatus? {
        switch (status, trigger) {
        case (.submitted, .gracePeriodElapsed): .awaitingStockValidation
        case (.awaitingStockValidation, .stockConfirmed): .stockConfirmed
        case (.awaitingStockValidation, .stockRejected): .cancelled
        case (.stockConfirmed, .paymentSucceeded): .paid
        case (.stockConfirmed, .paymentFailed): .cancelled
        case (.paid, .shipped): .shipped
        case (.submitted, .cancelledByBuyer), (.awaitingStockValidation, .cancelledByBuyer), (.stockConfirmed, .cancelledByBuyer): .cancelled
        default: nil
        }
    }
}
