import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The checkout form. Basket validates it; its problem+json `errors` are shown next to the
/// fields. The form carries one idempotency key from the moment it is shown, so submitting it
/// twice (a double click, a resend after a timeout) places one order.
struct CheckoutController: Sendable {
    let storefront: Storefront
    let basketPages: BasketController

    var endpoints: RouteCollection<WebRequestContext> {
        let routes = RouteCollection(context: WebRequestContext.self)
        routes.get("checkout", use: show)
        routes.post("checkout", use: checkout)
        return routes
    }

    struct Field: Sendable, MustacheParent {
        var name: String
        var label: String
        var value: String
        var type: String
        var autocomplete: String
        var hint: String?
        /// Not `error`: Mustache looks a name that is missing here up in the page, whose `error`
        /// would then mark every field as wrong.
        var fieldError: String?

        func child(named key: String) -> Any? {
            switch key {
            case "name": name
            case "label": label
            case "value": value
            case "type": type
            case "autocomplete": autocomplete
            case "hint": hint
            case "fieldError": fieldError
            default: nil
            }
        }
    }

    struct CheckoutPageView: Sendable, MustacheParent {
        var chrome: Chrome
        var idempotencyKey: String
        var error: String?
        var address: [Field]
        var card: [Field]
        var total: String
        /// "1 item", "3 items".
        var itemCountText: String

        func child(named key: String) -> Any? {
            switch key {
            case "chrome": chrome
            case "idempotencyKey": idempotencyKey
            case "error": error
            case "address": address
            case "card": card
            case "total": total
            case "itemCountText": itemCountText
            default: nil
            }
        }
    }

    private func view(
        _ form: CheckoutForm, key: String, basket: Basket, errors: [String: [String]], error: String?, context: WebRequestContext
    ) -> CheckoutPageView {
        func field(_ name: String, _ label: String, _ value: String, type: String = "text", autocomplete: String, hint: String? = nil) -> Field {
            // Basket's messages read after the field's name: "is required", "must be MM/YY".
            let error = errors[name].map { messages in messages.map { "\(label) \($0)." }.joined(separator: " ") }
            return Field(name: name, label: label, value: value, type: type, autocomplete: autocomplete, hint: hint, fieldError: error)
        }
        return CheckoutPageView(
            chrome: Chrome(title: "Checkout", context: context), idempotencyKey: key, error: error,
            address: [
                field("street", "Street", form.street, autocomplete: "address-line1"),
                field("city", "City", form.city, autocomplete: "address-level2"),
                field("state", "State or region", form.state, autocomplete: "address-level1"),
                field("country", "Country", form.country, autocomplete: "country-name"),
                field("zipCode", "Postal code", form.zipCode, autocomplete: "postal-code"),
            ],
            card: [
                field("cardHolderName", "Name on card", form.cardHolderName, autocomplete: "cc-name"),
                field("cardNumber", "Card number", form.cardNumber, autocomplete: "cc-number", hint: "12 to 19 digits"),
                field("cardExpiration", "Expiry (MM/YY)", form.cardExpiration, autocomplete: "cc-exp"),
                // The security code is never sent back to the browser.
                field("cardSecurityCode", "Security code", "", type: "password", autocomplete: "cc-csc", hint: "3 or 4 digits"),
            ],
            total: Money.format(basket.total), itemCountText: Self.itemCountText(basket.items.reduce(0) { $0 + $1.quantity }))
    }

    static func itemCountText(_ count: Int) -> String { count == 1 ? "1 item" : "\(count) items" }

    @Sendable func show(_ request: Request, context: WebRequestContext) async throws -> Response {
        let user = try context.requireUser(returnTo: "/checkout")
        let basket = try await storefront.basket.basket(token: user.accessToken)
        guard !basket.items.isEmpty else { return Response.redirect(to: "/basket", type: .normal) }
        var form = CheckoutForm()
        form.cardHolderName = user.name
        let key = UUID().uuidString.lowercased()
        return storefront.renderer.page("checkout", view(form, key: key, basket: basket, errors: [:], error: nil, context: context))
    }

    struct PostedForm: Decodable {
        var idempotencyKey: String
        var street: String?
        var city: String?
        var state: String?
        var country: String?
        var zipCode: String?
        var cardNumber: String?
        var cardHolderName: String?
        var cardExpiration: String?
        var cardSecurityCode: String?
    }

    @Sendable func checkout(_ request: Request, context: WebRequestContext) async throws -> Response {
        let user = try context.requireUser(returnTo: "/checkout")
        let posted = try await request.decode(as: PostedForm.self, context: context)
        guard let key = UUID(uuidString: posted.idempotencyKey)?.uuidString.lowercased() else {
            throw WebError.badRequest("The checkout form is damaged. Go back to the basket and check out again.")
        }
        func trimmed(_ value: String?) -> String { (value ?? "").trimmingCharacters(in: .whitespaces) }
        let form = CheckoutForm(
            street: trimmed(posted.street), city: trimmed(posted.city), state: trimmed(posted.state), country: trimmed(posted.country),
            zipCode: trimmed(posted.zipCode), cardNumber: trimmed(posted.cardNumber).filter { $0 != " " && $0 != "-" },
            cardHolderName: trimmed(posted.cardHolderName), cardExpiration: trimmed(posted.cardExpiration),
            cardSecurityCode: trimmed(posted.cardSecurityCode))
        switch try await storefront.basket.checkout(form, idempotencyKey: key, token: user.accessToken) {
        case .accepted(let orderId):
            // Basket accepts a checkout (202) before Ordering has stored the order from its event:
            // wait for it, briefly, so that the order page finds it.
            let deadline = ContinuousClock.now + .seconds(5)
            while try await storefront.ordering.order(orderId, token: user.accessToken) == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            return Response.redirect(to: "/orders/\(orderId.queryEscaped)", type: .normal)
        case .invalid(let detail, let errors):
            let basket = try await storefront.basket.basket(token: user.accessToken)
            if basket.items.isEmpty { return Response.redirect(to: "/basket", type: .normal) }
            let known = Set(["street", "city", "state", "country", "zipCode", "cardNumber", "cardHolderName", "cardExpiration", "cardSecurityCode"])
            let general = errors.keys.contains(where: { !known.contains($0) }) || errors.isEmpty ? (detail ?? "The checkout was refused.") : nil
            let page = view(form, key: key, basket: basket, errors: errors, error: general ?? "Please correct the fields marked below.", context: context)
            return storefront.renderer.page("checkout", page, status: .badRequest)
        case .conflict(let detail, let errors):
            let basket = try await storefront.basket.basket(token: user.accessToken)
            let message = (errors.values.flatMap { $0 }.first ?? detail ?? "Your basket changed.")
                + " Check your basket (saving it accepts the current prices), then check out again."
            return basketPages.page(basket, context: context, error: message, status: .conflict)
        }
    }
}
