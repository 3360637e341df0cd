import EventBus
import Foundation

/// `GET /api/v1/orders/{orderId}`: the whole order; times in RFC 3339 with milliseconds, UTC.
struct OrderView: Encodable, Sendable {
    var orderId: String
    var buyerId: String
    var status: OrderStatus
    var createdAt: String
    var address: Order.Address
    var items: [Order.Item]
    var total: Decimal
    var statusHistory: [StatusChangeView]
    var cancelReason: String?

    struct StatusChangeView: Encodable, Sendable {
        var status: OrderStatus
        var at: String
    }

    init(_ order: Order) {
        orderId = order.orderId
        buyerId = order.buyerId
        status = order.status
        createdAt = EventJSON.format(order.createdAt)
        address = order.address
        items = order.items
        total = order.total
        statusHistory = order.statusHistory.map { StatusChangeView(status: $0.status, at: EventJSON.format($0.at)) }
        cancelReason = order.cancelReason
    }
}

/// One line of a list of orders.
struct OrderSummary: Encodable, Sendable {
    var orderId: String
    var buyerId: String
    var status: OrderStatus
    var createdAt: String
    var total: Decimal

    init(_ order: Order) {
        orderId = order.orderId
        buyerId = order.buyerId
        status = order.status
        createdAt = EventJSON.format(order.createdAt)
        total = order.total
    }
}

/// A page of orders, newest first; `continuationToken` fetches the next page (absent on the last).
struct OrderPage: Encodable, Sendable {
    var items: [OrderSummary]
    var continuationToken: String?
}
