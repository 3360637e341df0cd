import EventBus
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceDefaults
import StateClient
import TestSupport
import Testing

@testable import Basket

/// Every route and error path, in process (memory store, in-memory bus, test catalog).
@Suite struct BasketRouteTests {
    @Test func everyRouteNeedsABearerToken() async throws {
        try await BasketFixture().test { client throws in
            for (method, uri) in [
                (HTTPRequest.Method.get, "/api/v1/basket"), (.put, "/api/v1/basket"), (.post, "/api/v1/basket"), (.delete, "/api/v1/basket"),
                (.post, "/api/v1/basket/checkout"),
            ] {
                let response = try await client.send(method, uri, as: nil, json: "{}")
                #expect(response.status == .unauthorized, "\(method) \(uri)")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
        }
    }

    @Test func answersAnEmptyBasketWhenNoneIsStored() async throws {
        try await BasketFixture().test { client throws in
            let response = try await client.get(as: "alice")
            #expect(response.status == .ok)
            #expect(response.json == JSONValue(json: Array(#"{"buyerId":"alice","items":[],"total":0}"#.utf8)))
            #expect(response.headers[.eTag] == "\"0\"")
        }
    }

    @Test func pricesAndNamesItemsFromTheCatalogMergingRepeatedProducts() async throws {
        try await BasketFixture().test { client throws in
            let put = try await client.put(#"[{"productId":1,"quantity":2},{"productId":2,"quantity":1},{"productId":1,"quantity":1},{"productId":3,"quantity":0}]"#, as: "alice")
            #expect(put.status == .ok)
            let etag = try #require(put.headers[.eTag])
            #expect(etag != "\"0\"")
            let get = try await client.get(as: "alice")
            #expect(get.headers[.eTag] == etag)
            #expect(get.json?.value(at: "total") == .number(Decimal(string: "0.5")!))  // 3 × 0.1 + 0.2, exactly
            guard case .array(let items)? = get.json?.value(at: "items") else { Issue.record("no items: \(get.text)"); return }
            #expect(items.map { $0.value(at: "productId") } == [.number(1), .number(2)])
            #expect(items.map { $0.value(at: "quantity") } == [.number(3), .number(1)])
            #expect(items.first?.value(at: "productName") == .string("Swift Mug"))
            #expect(items.first?.value(at: "oldUnitPrice") == nil)
        }
    }

    /// Reads are remembered per buyer (`LastResultCache`); each change must still show at once.
    @Test func everyReadShowsTheCurrentBasketAndPrices() async throws {
        let fixture = await BasketFixture()
        try await fixture.test { client throws in
            func quantities() async throws -> [JSONValue]? {
                let get = try await client.get(as: "alice")
                guard case .array(let items)? = get.json?.value(at: "items") else { return nil }
                return items.compactMap { $0.value(at: "quantity") }
            }
            _ = try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice")
            #expect(try await quantities() == [.number(1)])
            #expect(try await quantities() == [.number(1)])
            _ = try await client.put(#"[{"productId":1,"quantity":2}]"#, as: "alice")
            #expect(try await quantities() == [.number(2)])
            _ = try await client.send(.delete, "/api/v1/basket", as: "alice")
            #expect(try await quantities() == [])
            _ = try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice")
            #expect(try await quantities() == [.number(1)])
            fixture.catalog.setPrice(1, Decimal(string: "0.15")!)
            fixture.service.priceChanged(productId: 1)
            let repriced = try await client.get(as: "alice")
            #expect(repriced.json?.value(at: "total") == .number(Decimal(string: "0.15")!))
            guard case .array(let items)? = repriced.json?.value(at: "items") else { Issue.record("no items: \(repriced.text)"); return }
            #expect(items.first?.value(at: "oldUnitPrice") == .number(Decimal(string: "0.1")!))
        }
    }

    @Test func refusesUnknownProductsAndBadQuantitiesNamingThem() async throws {
        try await BasketFixture().test { client throws in
            let unknown = try await client.put(#"[{"productId":1,"quantity":1},{"productId":77,"quantity":1},{"productId":78,"quantity":1}]"#, as: "alice")
            #expect(unknown.status == .badRequest)
            #expect(unknown.headers[.contentType] == "application/problem+json")
            #expect(unknown.json?.value(at: "detail") == .string("unknown product ids: 77, 78"))
            let bad = try await client.put(#"[{"productId":1,"quantity":100},{"quantity":1}]"#, as: "alice")
            #expect(bad.status == .badRequest)
            #expect(bad.errorFields == ["items[0].quantity", "items[1].productId"])
            let malformed = try await client.send(.put, "/api/v1/basket", as: "alice", json: "{not json")
            #expect(malformed.status == .badRequest)
            #expect(try await client.get(as: "alice").json?.value(at: "items") == .array([]))  // nothing was written
        }
    }

    @Test func refusesAWriteOverAChangedBasketWith412() async throws {
        try await BasketFixture().test { client throws in
            let first = try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice", ifMatch: "\"0\"")
            #expect(first.status == .ok)
            let etag = try #require(first.headers[.eTag])
            #expect(try await client.put(#"[{"productId":2,"quantity":1}]"#, as: "alice", ifMatch: etag).status == .ok)
            let stale = try await client.put(#"[{"productId":3,"quantity":1}]"#, as: "alice", ifMatch: etag)
            #expect(stale.status == .preconditionFailed)
            #expect(try await client.put(#"[{"productId":3,"quantity":1}]"#, as: "alice", ifMatch: "\"0\"").status == .preconditionFailed)
            #expect(try await client.get(as: "alice").json?.value(at: "items")?.jsonText.contains("\"productId\":2") == true)
        }
    }

    @Test func showsTheOldPriceAfterAPriceChange() async throws {
        let fixture = await BasketFixture()
        try await fixture.test { client throws in
            _ = try await client.put(#"[{"productId":3,"quantity":2}]"#, as: "alice")
            fixture.catalog.setPrice(3, Decimal(string: "10.49")!)
            try await fixture.bus.publish(ProductPriceChanged(productId: 3, newPrice: Decimal(string: "10.49")!, oldPrice: Decimal(string: "12.99")!))
            await fixture.bus.waitUntilIdle()
            let get = try await client.get(as: "alice")
            #expect(get.json?.value(at: "items")?.jsonText.contains(#""oldUnitPrice":12.99"#) == true)
            #expect(get.json?.value(at: "items")?.jsonText.contains(#""unitPrice":10.49"#) == true)
            #expect(get.json?.value(at: "total") == .number(Decimal(string: "20.98")!))
        }
    }

    @Test func keepsEachBuyersBasketToThemselves() async throws {
        try await BasketFixture().test { client throws in
            _ = try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice")
            let bob = try await client.get(as: "bob")
            #expect(bob.json?.value(at: "buyerId") == .string("bob"))
            #expect(bob.json?.value(at: "items") == .array([]))
            #expect(try await client.send(.delete, "/api/v1/basket", as: "bob").status == .noContent)
            #expect(try await client.get(as: "alice").json?.value(at: "items") != .array([]))
            #expect(try await client.send(.delete, "/api/v1/basket", as: "alice").status == .noContent)
            #expect(try await client.get(as: "alice").json?.value(at: "items") == .array([]))
        }
    }

    @Test func answersFromStoredPricesWhileTheCatalogIsDownButRefusesWrites() async throws {
        let fixture = await BasketFixture()
        try await fixture.test { client throws in
            _ = try await client.put(#"[{"productId":2,"quantity":1}]"#, as: "alice")
            fixture.catalog.setDown(true)
            fixture.service.priceChanged(productId: 2)  // nothing cached: the read must ask the catalog
            let get = try await client.get(as: "alice")
            #expect(get.status == .ok)
            #expect(get.json?.value(at: "total") == .number(Decimal(string: "0.2")!))
            let put = try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice")
            #expect(put.status == .serviceUnavailable)
            #expect(put.headers[.retryAfter] != nil)
        }
    }

    @Test func validatesCheckoutsNamingEveryBadField() async throws {
        try await BasketFixture().test { client throws in
            _ = try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice")
            let noID = try await client.checkout(as: "alice", requestId: nil)
            #expect(noID.status == .badRequest)
            #expect(noID.errorFields == ["X-Request-Id"])
            #expect(try await client.checkout(as: "alice", requestId: "not-a-uuid").status == .badRequest)
            let bad = try await client.checkout(
                as: "alice", requestId: UUID().uuidString,
                body: #"{"street":"","city":"Seattle","state":"WA","country":"US","zipCode":"98101","cardNumber":"4111111111111112","cardHolderName":"A","cardExpiration":"01/20","cardSecurityCode":"1"}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.errorFields == ["cardExpiration", "cardNumber", "cardSecurityCode", "street"])
            #expect(!bad.text.contains("4111111111111112"))
            let empty = try await client.checkout(as: "bob", requestId: UUID().uuidString)
            #expect(empty.status == .badRequest)
        }
    }

    @Test func checksOutOncePerRequestIdWithoutTheCardNumber() async throws {
        let fixture = await BasketFixture()
        try await fixture.test { client throws in
            _ = try await client.put(#"[{"productId":1,"quantity":2},{"productId":3,"quantity":1}]"#, as: "alice")
            let requestId = UUID()
            let first = try await client.checkout(as: "alice", requestId: requestId.uuidString)
            #expect(first.status == .accepted)
            #expect(first.json == .object(["orderId": .string(requestId.uuidString.lowercased())]))
            let again = try await client.checkout(as: "alice", requestId: requestId.uuidString)
            #expect(again.status == .accepted)
            #expect(again.json == first.json)
            #expect(try await client.checkout(as: "bob", requestId: requestId.uuidString).status == .conflict)

            try await TestRedis.eventually(within: .seconds(5)) { if fixture.checkouts.isEmpty { throw CancellationError() } }
            await fixture.bus.waitUntilIdle()
            let events = fixture.checkouts
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event.requestId == requestId && event.userId == "alice" && event.cardLastFourDigits == "1111")
            #expect(event.basket.items.map(\.quantity) == [2, 1])
            let envelope = String(decoding: fixture.bus.published(topic: UserCheckoutAccepted.topic)[0].bytes, as: UTF8.self)
            #expect(!envelope.contains("4111111111111111") && !envelope.contains("\"123\""))
        }
    }

    @Test func aSubmittedOrderRemovesWhatItsCheckoutTookOnly() async throws {
        let fixture = await BasketFixture()
        try await fixture.test { client throws in
            _ = try await client.put(#"[{"productId":1,"quantity":2}]"#, as: "alice")
            let orderId = UUID()
            #expect(try await client.checkout(as: "alice", requestId: orderId.uuidString).status == .accepted)
            _ = try await client.put(#"[{"productId":1,"quantity":2},{"productId":2,"quantity":1}]"#, as: "alice")  // added after checkout
            try await fixture.bus.publish(OrderStatusChangedToSubmitted(orderId: orderId, orderStatus: .submitted, buyerId: "alice", buyerEmail: "a@example.com"))
            await fixture.bus.waitUntilIdle()
            let after = try await client.get(as: "alice")
            #expect(after.json?.value(at: "items")?.jsonText.contains("\"productId\":1") == false)
            #expect(after.json?.value(at: "items")?.jsonText.contains("\"productId\":2") == true)

            _ = try await client.put(#"[{"productId":3,"quantity":1}]"#, as: "bob")
            let bobOrder = UUID()
            #expect(try await client.checkout(as: "bob", requestId: bobOrder.uuidString).status == .accepted)
            try await fixture.bus.publish(OrderStatusChangedToSubmitted(orderId: bobOrder, orderStatus: .submitted, buyerId: "bob", buyerEmail: "b@example.com"))
            await fixture.bus.waitUntilIdle()
            #expect(try await client.get(as: "bob").headers[.eTag] == "\"0\"")  // gone
        }
    }

    @Test func servesAnOpenAPIDocumentThatMatchesTheResponses() async throws {
        try await BasketFixture().test { client throws in
            let checker = try OpenAPIChecker(yaml: try await client.send(.get, "/openapi.yaml", as: nil).text)
            func check(_ response: TestResponse, _ method: HTTPRequest.Method, _ path: String) {
                let problems = checker.check(
                    method: method.rawValue, path: path, status: Int(response.status.code), contentType: response.headers[.contentType], body: Array(buffer: response.body))
                #expect(problems.isEmpty, "\(method) \(path) → \(response.status.code): \(problems)")
            }
            check(try await client.get(as: "alice"), .get, "/api/v1/basket")
            check(try await client.send(.get, "/api/v1/basket", as: nil), .get, "/api/v1/basket")
            check(try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice"), .put, "/api/v1/basket")
            check(try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice", ifMatch: "\"stale\""), .put, "/api/v1/basket")
            check(try await client.put(#"[{"productId":99,"quantity":1}]"#, as: "alice"), .put, "/api/v1/basket")
            check(try await client.send(.post, "/api/v1/basket", as: "alice", json: #"{"items":[]}"#), .post, "/api/v1/basket")
            check(try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice"), .put, "/api/v1/basket")
            let requestId = UUID().uuidString
            check(try await client.checkout(as: "alice", requestId: requestId), .post, "/api/v1/basket/checkout")
            check(try await client.checkout(as: "bob", requestId: requestId), .post, "/api/v1/basket/checkout")
            check(try await client.checkout(as: "alice", requestId: nil), .post, "/api/v1/basket/checkout")
            check(try await client.send(.delete, "/api/v1/basket", as: "alice"), .delete, "/api/v1/basket")
        }
    }
}
