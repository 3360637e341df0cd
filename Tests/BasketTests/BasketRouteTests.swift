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
@Suite(.timeLimit(.minutes(1))) struct BasketRouteTests {
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
            #expect(get.json?.value(at: "total") == .number(JSONNumber("0.5")!))  // 3 × 0.1 + 0.2, exactly
            guard case .array(let items)? = get.json?.value(at: "items") else { Issue.record("no items: \(get.text)"); return }
            #expect(items.map { $0.value(at: "productId") } == [.number(1), .number(2)])
            #expect(items.map { $0.value(at: "quantity") } == [.number(3), .number(1)])
            #expect(items.first?.value(at: "productName") == .string("Swift Mug"))
            #expect(items.first?.value(at: "oldUnitPrice") == nil)
        }
    }

    @Test func everyReadShowsTheCurrentBasketAndPrices() async throws {
        let fixture = try await BasketFixture()
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
            try await fixture.priceChanged(1, to: Decimal(string: "0.15")!, from: Decimal(string: "0.1")!)
            let repriced = try await client.get(as: "alice")
            #expect(repriced.json?.value(at: "total") == .number(JSONNumber("0.15")!))
            guard case .array(let items)? = repriced.json?.value(at: "items") else { Issue.record("no items: \(repriced.text)"); return }
            #expect(items.first?.value(at: "oldUnitPrice") == .number(JSONNumber("0.1")!))
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

    /// Product ids are int32 (Catalog's document): out of range is the client's 400, never a
    /// 503 blaming Catalog (issue: 2147483648 answered "catalog unavailable").
    @Test(arguments: ["2147483648", "9223372036854775807", "0", "-1", "-2147483649"])
    func refusesProductIdsOutsideInt32(_ productId: String) async throws {
        try await BasketFixture().test { client throws in
            let response = try await client.put(#"[{"productId":\#(productId),"quantity":1}]"#, as: "alice")
            #expect(response.status == .badRequest)
            #expect(response.errorFields == ["items[0].productId"])
            #expect(response.headers[.retryAfter] == nil)
        }
    }

    @Test func theLargestInt32IdIsAskedOfTheCatalog() async throws {
        try await BasketFixture().test { client throws in
            let response = try await client.put(#"[{"productId":2147483647,"quantity":1}]"#, as: "alice")
            #expect(response.status == .badRequest)
            #expect(response.json?.value(at: "detail") == .string("unknown product ids: 2147483647"))
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
            #expect(try await client.get(as: "alice").productIds == [2])
        }
    }

    /// RFC 9110 §13.1.1: `If-Match` is a list (any member may match), compared strongly (a weak
    /// tag never matches), and a `DELETE` honours it too (issue: a stale one deleted the basket).
    @Test func ifMatchIsAListComparedStronglyOnEveryWrite() async throws {
        try await BasketFixture().test { client throws in
            let etag = try #require(try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice").headers[.eTag])
            let listed = try await client.put(#"[{"productId":2,"quantity":1}]"#, as: "alice", ifMatch: #""x", \#(etag)"#)
            #expect(listed.status == .ok)
            let current = try #require(listed.headers[.eTag])
            #expect(try await client.put(#"[{"productId":3,"quantity":1}]"#, as: "alice", ifMatch: "W/\(current)").status == .preconditionFailed)

            var stale: HTTPFields = [.ifMatch: etag]
            #expect(try await client.send(.delete, "/api/v1/basket", as: "alice", headers: stale).status == .preconditionFailed)
            #expect(try await client.get(as: "alice").headers[.eTag] == current)  // nothing was deleted
            stale[.ifMatch] = #""other", \#(current)"#
            #expect(try await client.send(.delete, "/api/v1/basket", as: "alice", headers: stale).status == .noContent)
            #expect(try await client.get(as: "alice").headers[.eTag] == "\"0\"")
        }
    }

    @Test func showsTheOldPriceAfterAPriceChange() async throws {
        let fixture = try await BasketFixture()
        try await fixture.test { client throws in
            _ = try await client.put(#"[{"productId":3,"quantity":2}]"#, as: "alice")
            try await fixture.priceChanged(3, to: Decimal(string: "10.49")!, from: Decimal(string: "12.99")!)
            let get = try await client.get(as: "alice")
            guard case .array(let items)? = get.json?.value(at: "items"), let item = items.first else { Issue.record("no items: \(get.text)"); return }
            #expect(item.value(at: "oldUnitPrice") == .number(JSONNumber("12.99")!))
            #expect(item.value(at: "unitPrice") == .number(JSONNumber("10.49")!))
            #expect(get.json?.value(at: "total") == .number(JSONNumber("20.98")!))
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
        let fixture = try await BasketFixture()
        try await fixture.test { client throws in
            _ = try await client.put(#"[{"productId":2,"quantity":1}]"#, as: "alice")
            try await fixture.priceChanged(2, to: Decimal(string: "0.2")!, from: Decimal(string: "0.2")!)  // nothing cached: the read must ask the catalog
            fixture.catalog.setDown(true)
            let get = try await client.get(as: "alice")
            #expect(get.status == .ok)
            #expect(get.json?.value(at: "total") == .number(JSONNumber("0.2")!))
            let put = try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice")
            #expect(put.status == .serviceUnavailable)
            #expect(put.headers[.retryAfter] != nil)
        }
    }

    @Test func validatesCheckoutsNamingEveryBadField() async throws {
        try await BasketFixture().test { client throws in
            _ = try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice")
            let noID = try await client.checkout(as: "alice", key: nil)
            #expect(noID.status == .badRequest)
            #expect(noID.errorFields == ["Idempotency-Key"])
            #expect(try await client.checkout(as: "alice", key: "not-a-uuid").status == .badRequest)
            let bad = try await client.checkout(
                as: "alice", key: UUID().uuidString,
                body: #"{"street":"","city":"Seattle","state":"WA","country":"US","zipCode":"98101","cardNumber":"4111111111111112","cardHolderName":"A","cardExpiration":"01/20","cardSecurityCode":"1"}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.errorFields == ["cardExpiration", "cardNumber", "cardSecurityCode", "street"])
            #expect(!bad.text.contains("4111111111111112"))
            let empty = try await client.checkout(as: "bob", key: UUID().uuidString)
            #expect(empty.status == .badRequest)
        }
    }

    @Test func checksOutOncePerIdempotencyKeyWithoutTheCardNumber() async throws {
        let fixture = try await BasketFixture()
        try await fixture.test { client throws in
            _ = try await client.put(#"[{"productId":1,"quantity":2},{"productId":3,"quantity":1}]"#, as: "alice")
            let requestId = UUID()
            let first = try await client.checkout(as: "alice", key: requestId.uuidString)
            #expect(first.status == .accepted)
            #expect(first.json == .object(["orderId": .string(requestId.uuidString.lowercased())]))
            let again = try await client.checkout(as: "alice", key: requestId.uuidString)
            #expect(again.status == .accepted)
            #expect(again.json == first.json)
            #expect(try await client.checkout(as: "bob", key: requestId.uuidString).status == .conflict)

            try await waitUntil("the relay to publish the checkout", within: .seconds(5)) { !fixture.checkouts.isEmpty }
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

    /// `Idempotency-Key` is the checkout's key; eShop's `x-requestid` is accepted when it is
    /// absent; `X-Request-Id` (a correlation id a proxy may renew on every attempt) never is.
    @Test func takesTheIdempotencyKeyNotTheCorrelationId() async throws {
        let fixture = try await BasketFixture()
        try await fixture.test { client throws in
            _ = try await client.put(#"[{"productId":1,"quantity":1}]"#, as: "alice")
            let correlated = try await client.checkout(as: "alice", key: UUID().uuidString, header: .requestID)
            #expect(correlated.status == .badRequest)
            #expect(correlated.errorFields == ["Idempotency-Key"])

            let eShopKey = UUID()
            let eShop = try await client.checkout(as: "alice", key: eShopKey.uuidString, header: .eShopRequestID)
            #expect(eShop.status == .accepted)
            #expect(eShop.json == .object(["orderId": .string(eShopKey.uuidString.lowercased())]))

            _ = try await client.put(#"[{"productId":2,"quantity":1}]"#, as: "bob")
            let winner = UUID()
            let both = try await client.send(
                .post, "/api/v1/basket/checkout", as: "bob", json: BasketTestClient.goodCheckout,
                headers: [.idempotencyKey: winner.uuidString, .eShopRequestID: UUID().uuidString])
            #expect(both.status == .accepted)
            #expect(both.json == .object(["orderId": .string(winner.uuidString.lowercased())]))
            let malformed = try await client.checkout(as: "bob", key: "not-a-uuid", header: .eShopRequestID)
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorFields == ["x-requestid"])
        }
    }

    /// A product deleted by an admin, or a price changed since the basket was saved, is a 409
    /// naming the lines; saving the basket accepts the current prices (issue: checkout answered
    /// 202 with the deleted product at its old price).
    @Test func checkoutRevalidatesEveryLineAgainstTheCatalog() async throws {
        let fixture = try await BasketFixture()
        try await fixture.test { client throws in
            _ = try await client.put(#"[{"productId":1,"quantity":1},{"productId":2,"quantity":1},{"productId":3,"quantity":1}]"#, as: "alice")
            fixture.catalog.remove(2)
            try await fixture.priceChanged(3, to: Decimal(string: "10.49")!, from: Decimal(string: "12.99")!)
            try await fixture.priceChanged(2, to: 0, from: Decimal(string: "0.2")!)  // drops the cached product 2
            let refused = try await client.checkout(as: "alice", key: UUID().uuidString)
            #expect(refused.status == .conflict)
            #expect(refused.errorFields == ["items[1]", "items[2]"])
            #expect(fixture.checkouts.isEmpty)

            _ = try await client.put(#"[{"productId":1,"quantity":1},{"productId":3,"quantity":1}]"#, as: "alice")
            let key = UUID()
            #expect(try await client.checkout(as: "alice", key: key.uuidString).status == .accepted)
            try await waitUntil("the relay to publish the checkout", within: .seconds(5)) { !fixture.checkouts.isEmpty }
            #expect(fixture.checkouts.first?.basket.items.map(\.unitPrice) == [Decimal(string: "0.1")!, Decimal(string: "10.49")!])
        }
    }

    /// The same basket checked out again under a new key answers the existing order.
    @Test func anUnchangedBasketCheckedOutAgainIsTheSameOrder() async throws {
        let fixture = try await BasketFixture()
        try await fixture.test { client throws in
            _ = try await client.put(#"[{"productId":1,"quantity":2}]"#, as: "alice")
            let first = UUID()
            #expect(try await client.checkout(as: "alice", key: first.uuidString).status == .accepted)
            let again = try await client.checkout(as: "alice", key: UUID().uuidString)
            #expect(again.status == .accepted)
            #expect(again.json == .object(["orderId": .string(first.uuidString.lowercased())]))
            try await waitUntil("the relay to publish the checkout", within: .seconds(5)) { !fixture.checkouts.isEmpty }
            await fixture.bus.waitUntilIdle()
            #expect(fixture.checkouts.count == 1)
        }
    }

    /// Checkout empties the basket at once. What the buyer saves afterwards is a new basket, which
    /// the first order's submission leaves alone, even when it holds the same product again (a
    /// fresh user's trial lost it: the submission subtracted the checked-out quantity from it).
    @Test func checkoutEmptiesTheBasketAndWhatIsSavedAfterwardsSurvivesTheOrder() async throws {
        let fixture = try await BasketFixture()
        try await fixture.test { client throws in
            _ = try await client.put(#"[{"productId":1,"quantity":2}]"#, as: "alice")
            let orderId = UUID()
            #expect(try await client.checkout(as: "alice", key: orderId.uuidString).status == .accepted)
            #expect(try await client.get(as: "alice").productIds == [])
            _ = try await client.put(#"[{"productId":1,"quantity":1},{"productId":2,"quantity":1}]"#, as: "alice")  // saved after checkout
            try await fixture.bus.publish(OrderStatusChangedToSubmitted(orderId: orderId, orderStatus: .submitted, buyerId: "alice", buyerEmail: "a@example.com"))
            await fixture.bus.waitUntilIdle()
            let after = try await client.get(as: "alice")
            #expect(after.productIds == [1, 2])
            #expect(after.quantities == [1, 1])

            // The new basket's checkout is a new order, although the first is not submitted yet.
            let second = UUID()
            let answer = try await client.checkout(as: "alice", key: second.uuidString)
            #expect(answer.json == .object(["orderId": .string(second.uuidString.lowercased())]))
            try await waitUntil("the relay to publish both checkouts", within: .seconds(5)) { fixture.checkouts.count == 2 }

            _ = try await client.put(#"[{"productId":3,"quantity":1}]"#, as: "bob")
            let bobOrder = UUID()
            #expect(try await client.checkout(as: "bob", key: bobOrder.uuidString).status == .accepted)
            try await fixture.bus.publish(OrderStatusChangedToSubmitted(orderId: bobOrder, orderStatus: .submitted, buyerId: "bob", buyerEmail: "b@example.com"))
            await fixture.bus.waitUntilIdle()
            #expect(try await client.get(as: "bob").headers[.eTag] == "\"0\"")  // the emptied basket is gone
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
            check(try await client.checkout(as: "alice", key: requestId), .post, "/api/v1/basket/checkout")
            check(try await client.checkout(as: "bob", key: requestId), .post, "/api/v1/basket/checkout")
            check(try await client.checkout(as: "alice", key: nil), .post, "/api/v1/basket/checkout")
            check(try await client.send(.delete, "/api/v1/basket", as: "alice"), .delete, "/api/v1/basket")
        }
    }
}
