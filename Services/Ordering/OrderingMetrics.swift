import EventBus
import Foundation
import Metrics

/// The order flow in figures, recorded when a move is committed (docs/observability.md):
///
/// - `ordering_orders_total{status}`: orders that entered `status` (`submitted` at checkout);
/// - `ordering_orders_cancelled_total{reason}`: cancellations by cause — `stock_rejected`
///   (Catalog lacked stock), `payment_failed`, `buyer`;
/// - `ordering_checkout_to_paid_seconds`: from the order's creation (Ordering storing the
///   checkout) to `paid`, a histogram.
enum OrderingMetrics {
    static func submitted() {
        Counter(label: "ordering_orders_total", dimensions: [("status", OrderStatus.submitted.rawValue)]).increment()
    }

    /// `order` moved to `next` on `trigger` at `at`.
    static func moved(_ order: Order, to next: Order, on trigger: OrderTrigger, at: Date) {
        Counter(label: "ordering_orders_total", dimensions: [("status", next.status.rawValue)]).increment()
        switch trigger {
        case .paymentSucceeded:
            Metrics.Timer(label: "ordering_checkout_to_paid_seconds").recordNanoseconds(Int64(at.timeIntervalSince(order.createdAt) * 1e9))
        case .stockRejected: cancelled(reason: "stock_rejected")
        case .paymentFailed: cancelled(reason: "payment_failed")
        case .cancelledByBuyer: cancelled(reason: "buyer")
        case .gracePeriodElapsed, .stockConfirmed, .shipped: break
        }
    }

    private static func cancelled(reason: String) {
        Counter(label: "ordering_orders_cancelled_total", dimensions: [("reason", reason)]).increment()
    }
}
