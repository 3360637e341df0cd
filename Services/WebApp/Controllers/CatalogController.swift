import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The catalog grid (filters, paging, search), the item page and the pictures.
struct CatalogController: Sendable {
    let storefront: Storefront
    static let pageSize = 12

    var endpoints: RouteCollection<WebRequestContext> {
        let routes = RouteCollection(context: WebRequestContext.self)
        routes.get("/", use: catalog)
        routes.get("items/:id", use: item)
        routes.get("items/:id/pic", use: picture)
        return routes
    }

    // MARK: Catalog

    struct Option: Sendable, MustacheParent {
        var id: Int
        var name: String
        var selected: Bool

        func child(named key: String) -> Any? {
            switch key {
            case "id": id
            case "name": name
            case "selected": selected
            default: nil
            }
        }
    }

    /// A product on a page: a catalog card, a recommendation, a row of the admin's prices.
    struct Card: Sendable, MustacheParent {
        var id: Int
        var name: String
        /// As the page shows it: `$8.50` on cards, `8.50` in the admin's price input.
        var price: String

        func child(named key: String) -> Any? {
            switch key {
            case "id": id
            case "name": name
            case "price": price
            default: nil
            }
        }
    }

    struct CatalogPageView: Sendable, MustacheParent {
        var chrome: Chrome
        var q: String
        var brands: [Option]
        var types: [Option]
        var searchNote: String?
        var searchMode: String?
        var countText: String
        var items: [Card]
        var pageNumber: Int
        var pageCount: Int
        var previousURL: String?
        var nextURL: String?

        func child(named key: String) -> Any? {
            switch key {
            case "chrome": chrome
            case "q": q
            case "brands": brands
            case "types": types
            case "searchNote": searchNote
            case "searchMode": searchMode
            case "countText": countText
            case "items": items
            case "pageNumber": pageNumber
            case "pageCount": pageCount
            case "previousURL": previousURL
            case "nextURL": nextURL
            default: nil
            }
        }
    }

    /// `GET /?q=&brand=&type=&page=` (page from 1). Values that are not numbers are ignored.
    @Sendable func catalog(_ request: Request, context: WebRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let q = String((request.formQueryValue("q") ?? "").trimmingCharacters(in: .whitespaces).prefix(50))
        let brandId = parameters.get("brand").flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        let typeId = parameters.get("type").flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        let pageNumber = min(max(parameters.get("page").flatMap(Int.init) ?? 1, 1), 10_000)
        let index = pageNumber - 1

        // Kept for a minute by CatalogAPI: asked for before the page, not beside it.
        let (brands, types) = try await storefront.catalog.brandsAndTypes()
        let page: CatalogPage
        var note: String?
        var mode: SearchMode?
        if q.isEmpty {
            page = try await storefront.catalog.page(index: index, size: Self.pageSize, brandId: brandId, typeId: typeId, name: nil)
        } else if let semantic = try await storefront.catalog.semanticSearch(text: q, index: index, size: Self.pageSize), semantic.mode == .semantic {
            page = semantic.page
            mode = .semantic
            note = "Semantic search: products ranked by how close they are in meaning to “\(q)”."
        } else {
            page = try await storefront.catalog.page(index: index, size: Self.pageSize, brandId: brandId, typeId: typeId, name: q)
            mode = .name
            note = "Semantic search is not available, so this is a name search: products whose name starts with “\(q)” (case-sensitive)."
        }
        let pageCount = max(1, (page.count + Self.pageSize - 1) / Self.pageSize)
        func url(page: Int) -> String {
            var query: [String] = []
            if !q.isEmpty { query.append("q=" + q.queryEscaped) }
            if let brandId { query.append("brand=\(brandId)") }
            if let typeId { query.append("type=\(typeId)") }
            if page > 1 { query.append("page=\(page)") }
            return query.isEmpty ? "/" : "/?" + query.joined(separator: "&")
        }
        let view = CatalogPageView(
            chrome: Chrome(title: "Catalog", context: context),
            q: q,
            brands: brands.map { Option(id: $0.id, name: $0.brand, selected: $0.id == brandId) },
            types: types.map { Option(id: $0.id, name: $0.type, selected: $0.id == typeId) },
            searchNote: note, searchMode: mode?.rawValue,
            countText: page.count == 1 ? "1 product" : "\(page.count) products",
            items: page.items.map { Card(id: $0.id, name: $0.name, price: Money.format($0.price)) },
            pageNumber: pageNumber, pageCount: pageCount,
            previousURL: pageNumber > 1 ? url(page: pageNumber - 1) : nil,
            nextURL: pageNumber < pageCount ? url(page: pageNumber + 1) : nil)
        return storefront.renderer.page("catalog", view)
    }

    // MARK: Item

    struct ItemPageView: Sendable, MustacheParent {
        var chrome: Chrome
        var id: Int
        var name: String
        var description: String
        var price: String
        var brand: String
        var type: String
        var stockText: String
        var canBuy: Bool
        var signInURL: String?
        var recommendations: [Card]
        var hasRecommendations: Bool

        func child(named key: String) -> Any? {
            switch key {
            case "chrome": chrome
            case "id": id
            case "name": name
            case "description": description
            case "price": price
            case "brand": brand
            case "type": type
            case "stockText": stockText
            case "canBuy": canBuy
            case "signInURL": signInURL
            case "recommendations": recommendations
            case "hasRecommendations": hasRecommendations
            default: nil
            }
        }
    }

    /// `GET /items/{id}`: details, stock, add to basket, and what was bought together (hidden when
    /// the model worker does not answer).
    @Sendable func item(_ request: Request, context: WebRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int.self), id > 0 else { throw WebError.notFound }
        async let lists = storefront.catalog.brandsAndTypes()
        async let together = storefront.recommendations.boughtTogether(with: id, limit: 4)
        guard let item = try await storefront.catalog.item(id) else { throw WebError.notFound }
        let (brands, types) = try await lists
        let togetherIds = await together.filter { $0 != id }
        let recommended = togetherIds.isEmpty ? [] : ((try? await storefront.catalog.items(togetherIds)) ?? [])
        let cards = recommended.map { Card(id: $0.id, name: $0.name, price: Money.format($0.price)) }
        let view = ItemPageView(
            chrome: Chrome(title: item.name, context: context),
            id: item.id, name: item.name, description: item.description, price: Money.format(item.price),
            brand: brands.first { $0.id == item.catalogBrandId }?.brand ?? "",
            type: types.first { $0.id == item.catalogTypeId }?.type ?? "",
            stockText: item.availableStock > 0 ? "In stock: \(item.availableStock)" : "Out of stock",
            canBuy: context.user != nil && item.availableStock > 0,
            signInURL: context.user == nil ? "/signin?returnUrl=" + "/items/\(id)".queryEscaped : nil,
            recommendations: cards, hasRecommendations: !cards.isEmpty)
        return storefront.renderer.page("item", view)
    }

    // MARK: Pictures

    /// `GET /items/{id}/pic`: Catalog's picture, passed through with its `ETag` and `Cache-Control`,
    /// so the browser (and the page's CSP, `img-src 'self'`) only ever talks to the storefront.
    @Sendable func picture(_ request: Request, context: WebRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int.self), id > 0 else { throw WebError.notFound }
        let answer = try await storefront.catalog.picture(id, ifNoneMatch: request.headers[.ifNoneMatch])
        var headers = HTTPFields()
        for name in ["Content-Type", "ETag", "Cache-Control"] {
            if let value = answer.headers.first(name: name), let field = HTTPField.Name(name) { headers[field] = value }
        }
        switch answer.status {
        case 200: return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: answer.body))
        case 304: return Response(status: .notModified, headers: headers)
        case 404: throw WebError.notFound
        default: throw BackendContractError(backend: "catalog", status: answer.status)
        }
    }
}
