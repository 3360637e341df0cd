import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The basket page: change quantities, remove lines, add from the item page. Every change is
/// sent with the basket version the page showed (`If-Match`), so a change made in another tab
/// or browser meanwhile is reported to the user instead of being overwritten.
struct BasketController: Sendable {
    let storefront: Storefront

    var endpoints: RouteCollection<WebRequestContext> {
        let routes = RouteCollection(context: WebRequestContext.self)
        routes.get("basket", use: show)
        routes.post("basket", use: update)
        routes.post("basket/items", use: add)
        return routes
    }

    struct Line: Sendable, MustacheParent {
        var productId: Int
        var productName: String
        var unitPrice: String
        var oldUnitPrice: String?
        var quantity: Int
        var subtotal: String

        func child(named key: String) -> Any? {
            switch key {
            case "productId": productId
            case "productName": productName
            case "unitPrice": unitPrice
            case "oldUnitPrice": oldUnitPrice
            case "quantity": quantity
            case "subtotal": subtotal
            default: nil
            }
        }
    }

    struct BasketPageView: Sendable, MustacheParent {
        var chrome: Chrome
        var notice: String?
        var error: String?
        var conflict: Bool
        var etag: String
        var lines: [Line]
        var hasItems: Bool
        var pricesChanged: Bool
        var total: String

        func child(named key: String) -> Any? {
            switch key {
            case "chrome": chrome
            case "notice": notice
            case "error": error
            case "conflict": conflict
            case "etag": etag
            case "lines": lines
            case "hasItems": hasItems
            case "pricesChanged": pricesChanged
            case "total": total
            default: nil
            }
        }
    }

    /// Renders `basket` with the messages given.
    func page(
        _ basket: Basket, context: WebRequestContext, notice: String? = nil, error: String? = nil, conflict: Bool = false,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let lines = basket.items.map { line in
            Line(
                productId: line.productId, productName: line.productName, unitPrice: Money.format(line.unitPrice),
                oldUnitPrice: line.oldUnitPrice.map(Money.format), quantity: line.quantity,
                subtotal: Money.format(line.unitPrice * Decimal(line.quantity)))
        }
        let view = BasketPageView(
            chrome: Chrome(title: "Your basket", context: context), notice: notice, error: error, conflict: conflict,
            etag: basket.etag, lines: lines, hasItems: !lines.isEmpty, pricesChanged: lines.contains { $0.oldUnitPrice != nil },
            total: Money.format(basket.total))
        return storefront.renderer.page("basket", view, status: status)
    }

    @Sendable func show(_ request: Request, context: WebRequestContext) async throws -> Response {
        let user = try context.requireUser(returnTo: "/basket")
        let notice = request.uri.queryParameters.get("notice").flatMap(Notice.init(rawValue:))?.text
        return page(try await storefront.basket.basket(token: user.accessToken), context: context, notice: notice)
    }

    /// `POST /basket`: the quantities of the form (0 removes a line), against the version shown.
    /// Fields: `etag` (the basket version the page showed), `quantity-<productId>` for every line,
    /// and `remove` (the product id of the line whose Remove button was pressed).
    @Sendable func update(_ request: Request, context: WebRequestContext) async throws -> Response {
        let user = try context.requireUser(returnTo: "/basket")
        let form = try await request.decode(as: [String: String].self, context: context)
        guard let etag = form["etag"] else { throw WebError.badRequest("The basket form is incomplete. Reload the basket.") }
        let remove = form["remove"]
        var lines: [(productId: Int, quantity: Int)] = []
        for (key, text) in form where key.hasPrefix("quantity-") {
            guard let productId = Int(key.dropFirst("quantity-".count)), productId > 0 else {
                throw WebError.badRequest("The basket form names no product.")
            }
            guard let quantity = Int(text.trimmingCharacters(in: .whitespaces)), (0...99).contains(quantity) else {
                let basket = try await storefront.basket.basket(token: user.accessToken)
                return page(basket, context: context, error: "A quantity must be a whole number from 0 to 99.", status: .badRequest)
            }
            lines.append((productId, remove == String(productId) ? 0 : quantity))
        }
        lines.sort { $0.productId < $1.productId }
        switch try await storefront.basket.replace(lines, ifMatch: etag, token: user.accessToken) {
        case .saved:
            return Response.redirect(to: remove == nil ? "/basket?notice=updated" : "/basket?notice=removed", type: .normal)
        case .changedElsewhere:
            let current = try await storefront.basket.basket(token: user.accessToken)
            return page(current, context: context, conflict: true, status: .conflict)
        case .refused(let detail, let errors):
            let current = try await storefront.basket.basket(token: user.accessToken)
            let message = errors.values.flatMap { $0 }.first ?? detail ?? "The basket could not be saved."
            return page(current, context: context, error: message, status: .badRequest)
        }
    }

    struct AddForm: Decodable {
        var productId: Int
        var quantity: String?
    }

    /// `POST /basket/items`: adds units of a product to the current basket (a new intention, so
    /// a concurrent change is read again and kept, up to three times).
    @Sendable func add(_ request: Request, context: WebRequestContext) async throws -> Response {
        let user = try context.requireUser(returnTo: "/basket")
        let form = try await request.decode(as: AddForm.self, context: context)
        guard let quantity = Int((form.quantity ?? "1").trimmingCharacters(in: .whitespaces)), (1...99).contains(quantity) else {
            throw WebError.badRequest("The quantity must be a whole number from 1 to 99.")
        }
        for _ in 0..<3 {
            let basket = try await storefront.basket.basket(token: user.accessToken)
            // Basket adds up repeated product ids.
            let lines: [(productId: Int, quantity: Int)] = basket.items.map { ($0.productId, $0.quantity) } + [(form.productId, quantity)]
            switch try await storefront.basket.replace(lines, ifMatch: basket.etag, token: user.accessToken) {
            case .saved:
                return Response.redirect(to: "/basket?notice=added", type: .normal)
            case .changedElsewhere:
                continue
            case .refused(let detail, let errors):
                let message = errors.values.flatMap { $0 }.first ?? detail ?? "The item could not be added."
                return page(basket, context: context, error: message, status: .badRequest)
            }
        }
        let current = try await storefront.basket.basket(token: user.accessToken)
        return page(current, context: context, conflict: true, status: .conflict)
    }
}
