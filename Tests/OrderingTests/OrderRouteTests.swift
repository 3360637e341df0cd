import EventBus
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import StateClient
import TestSupport
import Testing

@testable import Ordering

@Suite(.timeLimit(.minutes(1))) struct OrderRouteTests {
    struct Page: Decodable {
        struct Line: Decodable { var orderId: String; var status: String; var buyerId: String }
        var items: [Line]
        var continuationToken: String?
    }

    func page(_ response: TestResponse) throws -> Page {
        try JSONDecoder().decode(Page.self, from: Data(Array(buffer: response.body)))
    }

    @Test func alicesOrderIsHersAlone() async throws {
        let fixture = await OrderingFixture()
        try await fixture.running {
            let orderId = try await fixture.checkout(by: "alice")
            try await fixture.test { client throws in
                let path = "/api/v1/orders/\(orderId)"
                let own = try await client.send(.get, path, as: "alice")
                #expect(own.status == .ok)
                #expect(own.string(at: "orderId") == orderId)
                #expect(own.string(at: "status") == "submitted")
                // bob can neither read nor cancel it, and cannot tell it from an unknown id
                #expect(try await client.send(.get, path, as: "bob").status == .notFound)
                #expect(try await client.send(.put, path + "/cancel", as: "bob").status == .notFound)
                #expect(try await client.send(.get, "/api/v1/orders/\(UUID().uuidString.lowercased())", as: "bob").status == .notFound)
                #expect(try await client.send(.get, "/api/v1/orders/not-a-uuid", as: "bob").status == .notFound)
                #expect(try page(try await client.send(.get, "/api/v1/orders", as: "bob")).items.isEmpty)
                // no buyer ships, not even the owner
                #expect(try await client.send(.put, path + "/ship", as: "bob").status == .forbidden)
                #expect(try await client.send(.put, path + "/ship", as: "alice").status == .forbidden)
                #expect(try await client.send(.get, "/api/v1/orders/admin", as: "alice").status == .forbidden)
                // and nobody without a token does anything
                for (method, uri) in [(HTTPRequest.Method.get, "/api/v1/orders"), (.get, "/api/v1/orders/admin"), (.get, path), (.put, path + "/cancel"), (.put, path + "/ship")] {
                    let response = try await client.send(method, uri, as: nil)
                    #expect(response.status == .unauthorized, "\(method) \(uri)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
                #expect(try await fixture.order(orderId).status == .submitted)
                // an admin reads any order
                #expect(try await client.send(.get, path, as: "root", admin: true).status == .ok)
            }
        }
    }

    @Test func theBuyerCancelsDuringTheGracePeriodAndOnlyOnce() async throws {
        let fixture = await OrderingFixture()
        try await fixture.running {
            let orderId = try await fixture.checkout(by: "alice")
            try await fixture.test { client throws in
                let cancelled = try await client.send(.put, "/api/v1/orders/\(orderId)/cancel", as: "alice")
                #expect(cancelled.status == .ok)
                #expect(cancelled.string(at: "status") == "cancelled")
                #expect(cancelled.string(at: "cancelReason") == "cancelled by the buyer")
                let again = try await client.send(.put, "/api/v1/orders/\(orderId)/cancel", as: "alice")
                #expect(again.status == .conflict)
                #expect(again.headers[.contentType] == "application/problem+json")
            }
            // the grace period ends: the cancelled order stays cancelled
            fixture.clock.advance(by: 61)
            #expect(try await fixture.timer.fireDue() == 0)
            try await fixture.relay()
            #expect(fixture.published(OrderStatusChangedToCancelled.self).map(\.orderId.uuidString).map { $0.lowercased() } == [orderId])
            #expect(fixture.published(OrderStatusChangedToAwaitingStockValidation.self).isEmpty)
        }
    }

    @Test func anAdminCancelsAnyOrderButNotAPaidOne() async throws {
        let fixture = await OrderingFixture(gracePeriod: .zero)
        try await fixture.running {
            let first = try await fixture.checkout(by: "alice")
            let second = try await fixture.checkout(by: "alice")
            for orderId in [second] {
                try await fixture.deliver(OrderStockConfirmed(orderId: UUID(uuidString: orderId)!))
                try await fixture.deliver(OrderPaymentSucceeded(orderId: UUID(uuidString: orderId)!))
            }
            try await fixture.test { client throws in
                #expect(try await client.send(.put, "/api/v1/orders/\(first)/cancel", as: "root", admin: true).status == .ok)
                #expect(try await client.send(.put, "/api/v1/orders/\(second)/cancel", as: "root", admin: true).status == .conflict)
                #expect(try await client.send(.put, "/api/v1/orders/\(second)/cancel", as: "alice").status == .conflict)
            }
        }
    }

    @Test func onlyAPaidOrderShipsAndOnlyAnAdminShipsIt() async throws {
        let fixture = await OrderingFixture(gracePeriod: .zero)
        try await fixture.running {
            let orderId = try await fixture.checkout(by: "alice")
            let id = UUID(uuidString: orderId)!
            try await fixture.test { client throws in
                let ship = "/api/v1/orders/\(orderId)/ship"
                #expect(try await client.send(.put, ship, as: "root", admin: true).status == .conflict)
                try await fixture.deliver(OrderStockConfirmed(orderId: id))
                #expect(try await client.send(.put, ship, as: "root", admin: true).status == .conflict)
                try await fixture.deliver(OrderPaymentSucceeded(orderId: id))
                #expect(try await client.send(.put, ship, as: "alice").status == .forbidden)
                let shipped = try await client.send(.put, ship, as: "root", admin: true)
                #expect(shipped.status == .ok)
                #expect(shipped.string(at: "status") == "shipped")
                #expect(try await client.send(.put, ship, as: "root", admin: true).status == .conflict)
                #expect(try await client.send(.put, "/api/v1/orders/\(UUID().uuidString.lowercased())/ship", as: "root", admin: true).status == .notFound)
                let history = try await client.send(.get, "/api/v1/orders/\(orderId)", as: "alice")
                struct View: Decodable { struct Change: Decodable { var status: String }; var statusHistory: [Change] }
                let view = try JSONDecoder().decode(View.self, from: Data(Array(buffer: history.body)))
                #expect(view.statusHistory.map(\.status) == ["submitted", "awaitingStockValidation", "stockConfirmed", "paid", "shipped"])
            }
        }
    }

    @Test func listsTheCallersOrdersNewestFirstInPages() async throws {
        let fixture = await OrderingFixture()
        try await fixture.running {
            var mine: [String] = []
            for _ in 0..<5 {
                mine.append(try await fixture.checkout(by: "alice"))
                fixture.clock.advance(by: 1)
            }
            let bobs = try await fixture.checkout(by: "bob")
            let newestFirst: [String] = mine.reversed()
            try await fixture.test { client throws in
                var seen: [String] = []
                var uri = "/api/v1/orders?pageSize=2"
                while true {
                    let response = try await client.send(.get, uri, as: "alice")
                    #expect(response.status == .ok)
                    let page = try page(response)
                    seen += page.items.map(\.orderId)
                    guard let token = page.continuationToken else { break }
                    uri = "/api/v1/orders?pageSize=2&continuationToken=\(token)"
                }
                #expect(seen == newestFirst)
                #expect(try await client.send(.get, "/api/v1/orders?pageSize=0", as: "alice").status == .badRequest)
                #expect(try await client.send(.get, "/api/v1/orders?pageSize=abc", as: "alice").status == .badRequest)
                let all = try page(try await client.send(.get, "/api/v1/orders/admin?status=submitted&pageSize=100", as: "root", admin: true))
                #expect(Set(all.items.map(\.orderId)) == Set(newestFirst + [bobs]))
                let none = try page(try await client.send(.get, "/api/v1/orders/admin?status=paid", as: "root", admin: true))
                #expect(none.items.isEmpty)
                #expect(try await client.send(.get, "/api/v1/orders/admin?status=lost", as: "root", admin: true).status == .badRequest)
            }
        }
    }

    @Test func servesAnOpenAPIDocumentThatMatchesTheResponses() async throws {
        let fixture = await OrderingFixture(gracePeriod: .zero)
        try await fixture.running {
            let paid = try await fixture.checkout(by: "alice")
            try await fixture.deliver(OrderStockConfirmed(orderId: UUID(uuidString: paid)!))
            try await fixture.deliver(OrderPaymentSucceeded(orderId: UUID(uuidString: paid)!))
            let open = try await fixture.checkout(by: "alice")
            try await fixture.test { client throws in
                let checker = try OpenAPIChecker(yaml: String(buffer: try await client.send(.get, "/openapi.yaml", as: nil).body))
                func check(_ method: HTTPRequest.Method, _ uri: String, as user: String?, admin: Bool = false) async throws {
                    let response = try await client.send(method, uri, as: user, admin: admin)
                    let path = String(uri.split(separator: "?", maxSplits: 1)[0])
                    let problems = checker.check(
                        method: method.rawValue, path: path, status: Int(response.status.code), contentType: response.headers[.contentType],
                        body: Array(buffer: response.body))
                    #expect(problems.isEmpty, "\(method) \(uri) → \(response.status.code): \(problems)")
                }
                try await check(.get, "/api/v1/orders", as: "alice")
                try await check(.get, "/api/v1/orders?pageSize=1000", as: "alice")
                try await check(.get, "/api/v1/orders", as: nil)
                try await check(.get, "/api/v1/orders/admin?status=paid", as: "root", admin: true)
                try await check(.get, "/api/v1/orders/admin?status=lost", as: "root", admin: true)
                try await check(.get, "/api/v1/orders/admin", as: "alice")
                try await check(.get, "/api/v1/orders/admin", as: nil)
                try await check(.get, "/api/v1/orders/\(paid)", as: "alice")
                try await check(.get, "/api/v1/orders/\(paid)", as: "bob")
                try await check(.get, "/api/v1/orders/\(paid)", as: nil)
                try await check(.put, "/api/v1/orders/\(paid)/cancel", as: "alice")
                try await check(.put, "/api/v1/orders/\(open)/cancel", as: "alice")
                try await check(.put, "/api/v1/orders/\(open)/cancel", as: "bob")
                try await check(.put, "/api/v1/orders/\(open)/cancel", as: nil)
                try await check(.put, "/api/v1/orders/\(open)/ship", as: "root", admin: true)
                try await check(.put, "/api/v1/orders/\(paid)/ship", as: "root", admin: true)
                try await check(.put, "/api/v1/orders/\(paid)/ship", as: "alice")
                try await check(.put, "/api/v1/orders/\(UUID().uuidString.lowercased())/ship", as: "root", admin: true)
                try await check(.put, "/api/v1/orders/\(paid)/ship", as: nil)
                let untested = checker.documentedResponses.subtracting(checker.seenResponses).filter { !$0.hasSuffix(" 503") }
                #expect(untested.isEmpty, "documented but never seen: \(untested.sorted())")
            }
        }
    }
}
