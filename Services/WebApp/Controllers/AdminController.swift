import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The admin's page (role `admin` only): paid orders to ship, prices to edit (a change reaches
/// open baskets through Catalog's `ProductPriceChanged`), and new products.
struct AdminController: Sendable {
    let storefront: Storefront

    var endpoints: RouteCollection<WebRequestContext> {
        let routes = RouteCollection(context: WebRequestContext.self)
        routes.get("admin", use: show)
        routes.post("admin/orders/:orderId/ship", use: ship)
        routes.post("admin/items/:id/price", use: changePrice)
        routes.post("admin/items", use: create)
        return routes
    }

    struct NewProduct: Sendable, MustacheParent {
        var name = ""
        var description = ""
        var price = ""
        var stock = "10"
        var nameError: String?
        var priceError: String?
        var stockError: String?

        func child(named key: String) -> Any? {
            switch key {
            case "name": name
            case "description": description
            case "price": price
            case "stock": stock
            case "nameError": nameError
            case "priceError": priceError
            case "stockError": stockError
            default: nil
            }
        }
    }

    struct AdminPageView: Sendable, MustacheParent {
        var chrome: Chrome
        var notice: String?
        var error: String?
        var orders: [OrdersController.Row]
        var hasOrders: Bool
        var items: [CatalogController.Card]
        var brands: [CatalogController.Option]
        var types: [CatalogController.Option]
        var product: NewProduct

        func child(named key: String) -> Any? {
            switch key {
            case "chrome": chrome
            case "notice": notice
            case "error": error
            case "orders": orders
            case "hasOrders": hasOrders
            case "items": items
            case "brands": brands
            case "types": types
            case "product": product
            default: nil
            }
        }
    }

    private func page(
        _ context: WebRequestContext, user: SignedInUser, notice: String? = nil, error: String? = nil, product: NewProduct = NewProduct(),
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        async let orders = storefront.ordering.orders(inStatus: "paid", token: user.accessToken)
        async let items = storefront.catalog.page(index: 0, size: 100, brandId: nil, typeId: nil, name: nil)
        let (brands, types) = try await storefront.catalog.brandsAndTypes()
        let rows = try await orders.map(OrdersController.row)
        let view = AdminPageView(
            chrome: Chrome(title: "Admin", context: context), notice: notice, error: error, orders: rows, hasOrders: !rows.isEmpty,
            items: try await items.items.map { CatalogController.Card(id: $0.id, name: $0.name, price: "\($0.price)") },
            brands: brands.map { .init(id: $0.id, name: $0.brand, selected: false) },
            types: types.map { .init(id: $0.id, name: $0.type, selected: false) },
            product: product)
        return storefront.renderer.page("admin", view, status: status)
    }

    @Sendable func show(_ request: Request, context: WebRequestContext) async throws -> Response {
        let user = try context.requireAdmin(returnTo: "/admin")
        return try await page(context, user: user, notice: request.uri.queryParameters.get("notice").flatMap(Notice.init(rawValue:))?.text)
    }

    @Sendable func ship(_ request: Request, context: WebRequestContext) async throws -> Response {
        let user = try context.requireAdmin(returnTo: "/admin")
        let orderId = context.parameters.get("orderId") ?? ""
        guard UUID(uuidString: orderId) != nil else { throw WebError.notFound }
        let answer = try await storefront.ordering.ship(orderId, token: user.accessToken)
        switch answer.status {
        case 200: return Response.redirect(to: "/admin?notice=shipped", type: .normal)
        case 404: throw WebError.notFound
        case 409: return try await page(context, user: user, error: "That order is no longer paid, so it cannot be shipped.", status: .conflict)
        default: throw BackendContractError(backend: "ordering", status: answer.status)
        }
    }

    struct PriceForm: Decodable { var price: String }

    /// A price as typed: digits with at most two decimals.
    static func price(_ text: String) -> Decimal? {
        let text = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "$", with: "")
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), text.filter({ $0 == "." }).count <= 1 else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    @Sendable func changePrice(_ request: Request, context: WebRequestContext) async throws -> Response {
        let user = try context.requireAdmin(returnTo: "/admin")
        guard let id = context.parameters.get("id", as: Int.self), id > 0 else { throw WebError.notFound }
        let form = try await request.decode(as: PriceForm.self, context: context)
        guard let price = Self.price(form.price) else {
            return try await page(context, user: user, error: "A price is a number like 12.30.", status: .badRequest)
        }
        guard let item = try await storefront.catalog.item(id) else { throw WebError.notFound }
        var fields = CatalogItemFields(item)
        fields.price = price
        let answer = try await storefront.catalog.update(id, fields, token: user.accessToken)
        switch answer.status {
        case 200: return Response.redirect(to: "/admin?notice=price-changed", type: .normal)
        case 400:
            let message = answer.problemErrors["price"]?.first.map { "The price \($0)." } ?? "The price was refused."
            return try await page(context, user: user, error: message, status: .badRequest)
        case 404: throw WebError.notFound
        default: throw BackendContractError(backend: "catalog", status: answer.status)
        }
    }

    struct CreateForm: Decodable {
        var name: String?
        var description: String?
        var price: String?
        var brandId: Int
        var typeId: Int
        var stock: String?
    }

    @Sendable func create(_ request: Request, context: WebRequestContext) async throws -> Response {
        let user = try context.requireAdmin(returnTo: "/admin")
        let form = try await request.decode(as: CreateForm.self, context: context)
        var product = NewProduct(
            name: (form.name ?? "").trimmingCharacters(in: .whitespaces), description: form.description ?? "",
            price: form.price ?? "", stock: form.stock ?? "")
        let price = Self.price(product.price)
        let stock = Int(product.stock.trimmingCharacters(in: .whitespaces)).flatMap { $0 >= 0 ? $0 : nil }
        if price == nil { product.priceError = "Enter a price like 12.30." }
        if stock == nil { product.stockError = "Enter a whole number, 0 or more." }
        if product.name.isEmpty { product.nameError = "Enter a name." }
        guard let price, let stock, !product.name.isEmpty else {
            return try await page(context, user: user, error: "The product was not created: see the fields.", product: product, status: .badRequest)
        }
        let fields = CatalogItemFields(
            name: product.name, description: product.description, price: price, catalogTypeId: form.typeId, catalogBrandId: form.brandId,
            availableStock: stock, restockThreshold: 0, maxStockThreshold: max(stock, 1) * 2)
        let answer = try await storefront.catalog.create(fields, token: user.accessToken)
        switch answer.status {
        case 201: return Response.redirect(to: "/admin?notice=created", type: .normal)
        case 400:
            let errors = answer.problemErrors
            product.nameError = errors["name"]?.joined(separator: " ")
            product.priceError = errors["price"]?.joined(separator: " ")
            product.stockError = errors["availableStock"]?.joined(separator: " ")
            return try await page(context, user: user, error: "The product was not created: see the fields.", product: product, status: .badRequest)
        default: throw BackendContractError(backend: "catalog", status: answer.status)
        }
    }
}
