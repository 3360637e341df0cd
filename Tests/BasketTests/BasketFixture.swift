import EventBus
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceDefaults
import StateClient
import Configuration
import Synchronization
import TestSupport
import Testing

@testable import Basket

/// Catalog's answers for in-process tests: products by id, a price that can change, and an
/// outage on demand. (The integration suite uses the real Catalog.)
final class TestCatalog: ProductCatalog {
    private let state = Mutex<(products: [Int: Product], down: Bool)>(([:], false))

    init(_ products: [Product] = TestCatalog.sample) {
        state.withLock { $0.products = Dictionary(uniqueKeysWithValues: products.map { ($0.id, $0) }) }
    }

    static let sample = [
        Product(id: 1, name: "Swift Mug", price: Decimal(string: "0.1")!, pictureUrl: "http://catalog/1/pic"),
        Product(id: 2, name: "Swift Cap", price: Decimal(string: "0.2")!, pictureUrl: "http://catalog/2/pic"),
        Product(id: 3, name: "Swift Pen", price: Decimal(string: "12.99")!, pictureUrl: "http://catalog/3/pic"),
    ]

    func setPrice(_ id: Int, _ price: Decimal) { state.withLock { $0.products[id]?.price = price } }
    func remove(_ id: Int) { _ = state.withLock { $0.products.removeValue(forKey: id) } }
    func setDown(_ down: Bool) { state.withLock { $0.down = down } }

    func products(_ ids: [Int]) async throws -> [Int: Product] {
        let (products, down) = state.withLock { ($0.products, $0.down) }
        if down { throw CatalogUnavailable(reason: "test outage") }
        return products.filter { ids.contains($0.key) }
    }
}

/// An in-process Basket built by the production `buildApplication` with its test seam:
/// `STATE_STORE=memory` (memory state store, in-memory event bus, the outbox relay running),
/// `JWT_JWKS` trusting ``TestSigningKey``, and ``TestCatalog`` in place of Catalog's HTTP API.
struct BasketFixture: Sendable {
    let key: TestSigningKey
    let catalog: TestCatalog
    let bus: InMemoryEventBus
    let dependencies: BasketDependencies

    init() async throws {
        key = await TestSigningKey()
        catalog = TestCatalog()
        let reader = ConfigReader(providers: [
            InMemoryProvider(values: ["state.store": "memory", "jwt.jwks": .init(.string(key.jwksJSON), isSecret: false)]),
            InMemoryProvider.serviceDefaults(port: basketDefaultPort, appID: basketDefaultAppID),
        ])
        var dependencies = try BasketDependencies(reader: reader)
        dependencies.catalog = catalog
        bus = try #require(dependencies.bus as? InMemoryEventBus)
        self.dependencies = dependencies
    }

    /// Runs `body` against the application's router, with its bus and relay running.
    func test(_ body: @Sendable (BasketTestClient) async throws -> Void) async throws {
        try await buildApplication(dependencies).test(.router) { client in
            try await body(BasketTestClient(client: client, key: key))
        }
    }

    /// Tells Basket a product's price changed, as Catalog does, and waits until it was handled.
    func priceChanged(_ productId: Int, to newPrice: Decimal, from oldPrice: Decimal) async throws {
        catalog.setPrice(productId, newPrice)
        try await bus.publish(ProductPriceChanged(productId: productId, newPrice: newPrice, oldPrice: oldPrice))
        await bus.waitUntilIdle()
    }

    /// The `UserCheckoutAccepted` events the relay published.
    var checkouts: [UserCheckoutAccepted] {
        bus.published(topic: UserCheckoutAccepted.topic).compactMap { try? $0.event(as: UserCheckoutAccepted.self) }
    }
}

/// Requests as a buyer: one small helper per endpoint.
struct BasketTestClient: Sendable {
    let client: any TestClientProtocol
    let key: TestSigningKey

    func token(_ buyer: String) async throws -> String { try await key.token(subject: buyer) }

    func send(_ method: HTTPRequest.Method, _ uri: String, as buyer: String?, json: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        if json != nil { headers[.contentType] = "application/json" }
        if let buyer { headers[.authorization] = "Bearer \(try await token(buyer))" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    func get(as buyer: String) async throws -> TestResponse { try await send(.get, "/api/v1/basket", as: buyer) }

    func put(_ items: String, as buyer: String, ifMatch: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let ifMatch { headers[.ifMatch] = ifMatch }
        return try await send(.put, "/api/v1/basket", as: buyer, json: #"{"items":\#(items)}"#, headers: headers)
    }

    /// `POST /checkout` with `key` in `header` (`Idempotency-Key` unless told otherwise).
    func checkout(
        as buyer: String, key: String?, header: HTTPField.Name = .idempotencyKey, body: String = BasketTestClient.goodCheckout
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let key { headers[header] = key }
        return try await send(.post, "/api/v1/basket/checkout", as: buyer, json: body, headers: headers)
    }

    static let goodCheckout = #"""
        {"street":"1 Main St","city":"Seattle","state":"WA","country":"US","zipCode":"98101","cardNumber":"4111111111111111",
         "cardHolderName":"Alice Smith","cardExpiration":"12/39","cardSecurityCode":"123","userEmail":"alice@example.com"}
        """#
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: JSONValue? { JSONValue(json: Array(buffer: body)) }
    /// The product ids of a basket answer's items, in order.
    var productIds: [Int] { itemIntegers("productId") }
    /// The quantities of a basket answer's items, in order.
    var quantities: [Int] { itemIntegers("quantity") }

    private func itemIntegers(_ member: String) -> [Int] {
        guard case .array(let items)? = json?.value(at: "items") else { return [] }
        return items.compactMap { item in
            guard case .number(let number)? = item.value(at: member) else { return nil }
            return number.intValue
        }
    }

    /// The names of the fields a problem's `errors` lists.
    var errorFields: [String] {
        guard case .object(let errors)? = json?.value(at: "errors") else { return [] }
        return errors.keys.sorted().map(\.string)
    }
}
