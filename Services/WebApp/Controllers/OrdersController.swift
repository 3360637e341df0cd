import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The buyer's orders and an order's page. The order page updates itself while the order moves:
/// `site.js` polls `GET /orders/{id}/status` (JSON) every few seconds until the order is shipped
/// or cancelled (docs/webapp.md says why a short poll rather than server-sent events).
struct OrdersController: Sendable {
    let storefront: Storefront

    var endpoints: RouteCollection<WebRequestContext> {
        let routes = RouteCollection(context: WebRequestContext.self)
        routes.get("orders", use: list)
        routes.get("orders/:orderId", use: show)
        routes.get("orders/:orderId/status", use: status)
        return routes
    }

    /// How a status reads on the page.
    static func label(_ status: String) -> String {
        switch status {
        case "submitted": "Submitted"
        case "awaitingStockValidation": "Awaiting stock validation"
        case "stockConfirmed": "Stock confirmed"
        case "paid": "Paid"
        case "shipped": "Shipped"
        case "cancelled": "Cancelled"
        default: status
        }
    }

    /// `2026-11-30T08:01:02.345Z` → `2026-11-30 08:01:02 UTC`.
    static func time(_ rfc3339: String) -> String {
        guard rfc3339.count >= 19 else { return rfc3339 }
        return rfc3339.prefix(10) + " " + rfc3339.dropFirst(11).prefix(8) + " UTC"
    }

    struct Row: Sendable, MustacheParent {
        var orderId: String
        var shortId: String
        var createdAt: String
        var status: String
        var statusLabel: String
        var total: String

        func child(named key: String) -> Any? {
            switch key {
            case "orderId": orderId
            case "shortId": shortId
            case "createdAt": createdAt
            case "status": status
            case "statusLabel": statusLabel
            case "total": total
            default: nil
            }
        }
    }

    static func row(_ summary: OrderSummary) -> Row {
        Row(
            orderId: summary.orderId, shortId: String(summary.orderId.prefix(8)), createdAt: time(summary.createdAt),
            status: summary.status, statusLabel: label(summary.status), total: Money.format(summary.total))
    }

    struct OrdersPageView: Sendable, MustacheParent {
        var chrome: Chrome
        var orders: [Row]
        var hasOrders: Bool

        func child(named key: String) -> Any? {
            switch key {
            case "chrome": chrome
            case "orders": orders
            case "hasOrders": hasOrders
            default: nil
            }
        }
    }

    @Sendable func list(_ request: Request, context: WebRequestContext) async throws -> Response {
        let user = try context.requireUser(returnTo: "/orders")
        let orders = try await storefront.ordering.orders(token: user.accessToken).map(Self.row)
        return storefront.renderer.page("orders", OrdersPageView(chrome: Chrome(title: "Your orders", context: context), orders: orders, hasOrders: !orders.isEmpty))
    }

    struct HistoryEntry: Sendable, Codable, MustacheParent {
        var status: String
        var label: String
        var at: String
        var time: String

        func child(named key: String) -> Any? {
            switch key {
            case "status": status
            case "label": label
            case "at": at
            case "time": time
            default: nil
            }
        }
    }

    struct Line: Sendable, MustacheParent {
        var productId: Int
        var productName: String
        var unitPrice: String
        var units: Int

        func child(named key: String) -> Any? {
            switch key {
            case "productId": productId
            case "productName": productName
            case "unitPrice": unitPrice
            case "units": units
            default: nil
            }
        }
    }

    struct OrderPageView: Sendable, MustacheParent {
        var chrome: Chrome
        var orderId: String
        var shortId: String
        var status: String
        var statusLabel: String
        var live: Bool
        var history: [HistoryEntry]
        var cancelReason: String?
        var lines: [Line]
        var total: String
        var address: Order.Address

        func child(named key: String) -> Any? {
            switch key {
            case "chrome": chrome
            case "orderId": orderId
            case "shortId": shortId
            case "status": status
            case "statusLabel": statusLabel
            case "live": live
            case "history": history
            case "cancelReason": cancelReason
            case "lines": lines
            case "total": total
            case "address": address
            default: nil
            }
        }
    }

    /// Whether the order can still change (the page keeps polling).
    static func isLive(_ status: String) -> Bool { status != "shipped" && status != "cancelled" }

    static func history(_ order: Order) -> [HistoryEntry] {
        order.statusHistory.map { HistoryEntry(status: $0.status, label: label($0.status), at: $0.at, time: time($0.at)) }
    }

    private func order(_ context: WebRequestContext) async throws -> (SignedInUser, Order) {
        let orderId = context.parameters.get("orderId") ?? ""
        let user = try context.requireUser(returnTo: "/orders/" + orderId.queryEscaped)
        guard UUID(uuidString: orderId) != nil, let order = try await storefront.ordering.order(orderId, token: user.accessToken) else {
            throw WebError.notFound
        }
        return (user, order)
    }

    @Sendable func show(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (_, order) = try await order(context)
        let view = OrderPageView(
            chrome: Chrome(title: "Order \(order.orderId.prefix(8))", context: context),
            orderId: order.orderId, shortId: String(order.orderId.prefix(8)), status: order.status, statusLabel: Self.label(order.status),
            live: Self.isLive(order.status), history: Self.history(order), cancelReason: order.cancelReason,
            lines: order.items.map { Line(productId: $0.productId, productName: $0.productName, unitPrice: Money.format($0.unitPrice), units: $0.units) },
            total: Money.format(order.total), address: order.address)
        return storefront.renderer.page("order", view)
    }

    /// What the order page's script reads to update itself.
    struct StatusView: ResponseEncodable {
        var status: String
        var label: String
        var live: Bool
        var history: [HistoryEntry]
        var cancelReason: String?
    }

    @Sendable func status(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (_, order) = try await order(context)
        let view = StatusView(
            status: order.status, label: Self.label(order.status), live: Self.isLive(order.status), history: Self.history(order),
            cancelReason: order.cancelReason)
        var response = try view.response(from: request, context: context)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension Order.Address: MustacheParent {
    func child(named key: String) -> Any? {
        switch key {
        case "street": street
        case "city": city
        case "state": state
        case "country": country
        case "zipCode": zipCode
        default: nil
        }
    }
}
