import Mustache
import Testing

@testable import WebApp

/// The stored properties of `view` that its `child(named:)` does not answer with the same value.
/// Templates see a view only through `child(named:)`, so a property missing from the `switch`
/// would render as empty without any error.
private func unanswered(_ view: some MustacheParent) -> [String] {
    Mirror(reflecting: view).children.compactMap { property in
        guard let label = property.label else { return nil }
        let stored = Mirror(reflecting: property.value)
        let expected: Any? = stored.displayStyle == .optional ? stored.children.first?.value : property.value
        let answered = view.child(named: label)
        let same = switch (expected, answered) {
        case (nil, nil): true
        case (let expected?, let answered?): String(describing: expected) == String(describing: answered)
        default: false
        }
        return same ? nil : label
    }
}

@Suite struct WebAppViewTests {
    let chrome = Chrome(title: "Catalog", user: .init(name: "alice", isAdmin: true), csrf: "token")
    let option = CatalogController.Option(id: 1, name: ".NET", selected: true)
    let card = CatalogController.Card(id: 2, name: "Cap", price: "$8.50")

    @Test func everyViewAnswersEachOfItsStoredProperties() throws {
        let row = OrdersController.Row(
            orderId: "o-1", shortId: "o-1", createdAt: "2026-11-30 08:01:02 UTC", status: "paid", statusLabel: "Paid", total: "$8.50")
        let entry = OrdersController.HistoryEntry(status: "paid", label: "Paid", at: "2026-11-30T08:01:02Z", time: "08:01")
        let address = Order.Address(street: "1 Main St", city: "Redmond", state: "WA", country: "US", zipCode: "98052")
        let field = CheckoutController.Field(
            name: "city", label: "City", value: "Redmond", type: "text", autocomplete: "address-level2", hint: "a hint", fieldError: "City is required.")
        let views: [any MustacheParent] = [
            chrome, try #require(chrome.user), option, card,
            CatalogController.CatalogPageView(
                chrome: chrome, q: "cap", brands: [option], types: [option], searchNote: "note", searchMode: "semantic", countText: "1 product",
                items: [card], pageNumber: 1, pageCount: 2, previousURL: "/?page=0", nextURL: "/?page=2"),
            CatalogController.ItemPageView(
                chrome: chrome, id: 2, name: "Cap", description: "Warm", price: "$8.50", brand: ".NET", type: "Cap", stockText: "In stock: 3",
                canBuy: true, signInURL: "/signin", recommendations: [card], hasRecommendations: true),
            AdminController.NewProduct(name: "Cap", description: "Warm", price: "8.50", stock: "3", nameError: "a", priceError: "b", stockError: "c"),
            AdminController.AdminPageView(
                chrome: chrome, notice: "n", error: "e", orders: [row], hasOrders: true, items: [], brands: [option], types: [option],
                product: AdminController.NewProduct()),
            row, entry, address, field,
            OrdersController.OrdersPageView(chrome: chrome, orders: [row], hasOrders: true),
            OrdersController.Line(productId: 2, productName: "Cap", unitPrice: "$8.50", units: 1),
            OrdersController.OrderPageView(
                chrome: chrome, orderId: "o-1", shortId: "o-1", status: "paid", statusLabel: "Paid", live: true, history: [entry],
                cancelReason: "none", lines: [], total: "$8.50", address: address),
            BasketController.Line(productId: 2, productName: "Cap", unitPrice: "$8.50", oldUnitPrice: "$9.00", quantity: 1, subtotal: "$8.50"),
            BasketController.BasketPageView(
                chrome: chrome, notice: "n", error: "e", conflict: true, etag: "\"1\"", lines: [], hasItems: false, pricesChanged: true, total: "$0.00"),
            CheckoutController.CheckoutPageView(
                chrome: chrome, idempotencyKey: "k", error: "e", address: [field], card: [field], total: "$8.50", itemCountText: "1 item"),
            AccountController.SignInPageView(chrome: chrome, returnUrl: "/", username: "alice", error: "e"),
            ErrorPageMiddleware.ErrorPage(chrome: chrome, heading: "Not found", message: "m"),
        ]
        for view in views {
            #expect(unanswered(view).isEmpty, "\(type(of: view)) does not answer \(unanswered(view))")
        }
    }

    /// An absent optional must be `nil` to Mustache (a section that does not render), not an
    /// `Optional.none` wrapped in `Any`, which Mustache would treat as present.
    @Test func anAbsentOptionalIsNilAndAnUnknownNameIsNil() {
        let guest = Chrome(title: "Catalog", user: nil, csrf: "token")
        #expect(guest.child(named: "user") == nil)
        #expect(guest.child(named: "no-such-name") == nil)
        #expect(card.child(named: "") == nil)
    }

    @Test func aPageRendersFromItsViewsChildren() throws {
        var library = MustacheLibrary()
        let template = try MustacheTemplate(string: "{{#chrome.user}}{{name}}{{#isAdmin}} (admin){{/isAdmin}}{{/chrome.user}}: {{#items}}[{{name}} {{price}}]{{/items}}{{^searchNote}} no note{{/searchNote}}")
        library.register(template, named: "t")
        let view = CatalogController.CatalogPageView(
            chrome: chrome, q: "", brands: [], types: [], searchNote: nil, searchMode: nil, countText: "", items: [card, card],
            pageNumber: 1, pageCount: 1, previousURL: nil, nextURL: nil)
        #expect(library.render(view, withTemplate: "t") == "alice (admin): [Cap $8.50][Cap $8.50] no note")
    }
}
