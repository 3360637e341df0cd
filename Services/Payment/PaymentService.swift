import EventBus
import Foundation
import Logging
import Metrics
import StateClient

/// Which payments succeed. The payment is simulated: no provider is called.
enum PaymentRule: Sendable, Hashable {
    /// Every payment succeeds (the default).
    case alwaysSucceed
    /// A payment of more than this total fails.
    case failAbove(Decimal)

    func accepts(total: Decimal) -> Bool {
        switch self {
        case .alwaysSucceed: true
        case .failAbove(let limit): total <= limit
        }
    }
}

/// What Payment stores per order, `payment-api||payment:<orderId>`: the one decision taken.
struct PaymentRecord: Codable, Sendable, Hashable {
    /// Lower-case UUID, as every id the system writes.
    var paymentId: String
    var orderId: String
    var total: Decimal
    var succeeded: Bool

    static func key(_ orderId: UUID) -> String { "payment:\(orderId.uuidString.lowercased())" }
}

/// Charges validated orders, once per order: the payment record (written first-write) and the
/// outcome event go into one state transaction with the outbox, so a redelivered
/// `OrderStatusChangedToValidated` finds the record and changes nothing, and no outcome is ever
/// published without its record or twice with different answers.
struct PaymentService: Sendable {
    let rule: PaymentRule
    let outbox: StateOutbox
    let wakeRelay: @Sendable () -> Void
    let logger: Logger

    func charge(_ event: OrderStatusChangedToValidated) async throws {
        let succeeded = rule.accepts(total: event.total)
        let record = PaymentRecord(
            paymentId: UUID().uuidString.lowercased(), orderId: event.orderId.uuidString.lowercased(), total: event.total, succeeded: succeeded)
        let outcome: any IntegrationEvent = succeeded ? OrderPaymentSucceeded(orderId: event.orderId) : OrderPaymentFailed(orderId: event.orderId)
        do {
            try await outbox.transaction(
                [try .upsert(key: PaymentRecord.key(event.orderId), value: record, options: SaveOptions(concurrency: .firstWrite))],
                publishing: [outcome])
        } catch let error as StateError where error.code == .etagMismatch {
            logger.info("order already charged", metadata: ["order.id": "\(record.orderId)"])
            return
        }
        // Once per order (a redelivered event returned above), before the outcome can reach Ordering.
        Counter(label: "payment_payments_total", dimensions: [("result", succeeded ? "succeeded" : "failed")]).increment()
        wakeRelay()
        logger.info("payment decided", metadata: ["order.id": "\(record.orderId)", "payment.id": "\(record.paymentId)", "payment.succeeded": "\(succeeded)"])
    }
}
