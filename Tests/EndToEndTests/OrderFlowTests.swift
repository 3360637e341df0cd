import Foundation
import StateClient
import TestSupport
import Testing

/// The sample's main flow across real processes: basket → checkout → order → stock → payment → shipping.
@Suite(.serialized, .redisReachable, .postgresReachable, .timeLimit(.minutes(3))) struct OrderFlowTests {
    @Test func aCheckoutIsPaidThenShippedWithTheBasketClearedAndStockDecrementedExactly() async throws {
        try await EndToEndSystem.with { system in
            let alice = try await system.token("alice")
            let admin = try await system.token("admin")
            let before = [try await system.availableStock(1), try await system.availableStock(2)]
            try await system.putBasket([(1, 2), (2, 1)], token: alice)
            let orderId = try await system.checkout(token: alice)
            #expect(orderId == orderId.lowercased())
            let paid = try await system.waitForOrder(orderId, token: alice, in: ["paid"])
            #expect(paid.value(at: "orderId") == .string(orderId))
            try await TestRedis.eventually(within: .seconds(10)) {
                guard try await system.basketItems(token: alice).isEmpty else { throw EndToEndError("basket not cleared") }
            }
            try await TestRedis.eventually(within: .seconds(10)) {
                let after = [try await system.availableStock(1), try await system.availableStock(2)]
                guard after == [before[0] - 2, before[1] - 1] else { throw EndToEndError("stock \(after), was \(before)") }
            }
            #expect(try await system.reservedStock(1) == 0)
            #expect(try await system.ship(orderId, token: alice).status == .forbidden)
            let shipped = try await system.ship(orderId, token: admin)
            #expect(shipped.status == .ok)
            #expect(shipped.json?.value(at: "status") == .string("shipped"))
            // no redelivery or late event takes more stock
            #expect(try await system.availableStock(1) == before[0] - 2)
            // bob never sees it
            #expect(try await system.order(orderId, token: try await system.token("bob")).status == .notFound)
        }
    }

    @Test func anOrderWithoutStockIsCancelledNamingTheProduct() async throws {
        try await EndToEndSystem.with { system in
            let alice = try await system.token("alice")
            let admin = try await system.token("admin")
            try await system.updateItem(3, ["availableStock": .number(1)], adminToken: admin)
            guard case .string(let name)? = try await system.item(3)["name"] else { throw EndToEndError("no name") }
            try await system.putBasket([(3, 2)], token: alice)
            let orderId = try await system.checkout(token: alice)
            let order = try await system.waitForOrder(orderId, token: alice, in: ["cancelled"])
            guard case .string(let reason)? = order.value(at: "cancelReason") else { throw EndToEndError("no reason: \(order)") }
            #expect(reason.contains(name))
            #expect(try await system.availableStock(3) == 1)
            #expect(try await system.reservedStock(3) == 0)
        }
    }

    @Test func aFailedPaymentCancelsAndReleasesTheStock() async throws {
        try await EndToEndSystem.with(paymentFailAbove: "5000") { system in
            let alice = try await system.token("alice")
            let admin = try await system.token("admin")
            try await system.updateItem(4, ["price": .number(6000)], adminToken: admin)
            let stock = try await system.availableStock(4)
            try await system.putBasket([(4, 1)], token: alice)
            let orderId = try await system.checkout(token: alice)
            let order = try await system.waitForOrder(orderId, token: alice, in: ["cancelled"])
            #expect(order.value(at: "cancelReason") == .string("the payment was refused"))
            try await TestRedis.eventually(within: .seconds(10)) {
                guard try await system.reservedStock(4) == 0 else { throw EndToEndError("reservation of product 4 not released") }
            }
            #expect(try await system.availableStock(4) == stock)
        }
    }

    @Test func theBuyerCancelsDuringTheGracePeriod() async throws {
        try await EndToEndSystem.with(gracePeriodSeconds: 60) { system in
            let alice = try await system.token("alice")
            let stock = try await system.availableStock(5)
            try await system.putBasket([(5, 1)], token: alice)
            let orderId = try await system.checkout(token: alice)
            try await system.waitForOrder(orderId, token: alice, in: ["submitted"])
            let cancelled = try await system.cancel(orderId, token: alice)
            #expect(cancelled.status == .ok)
            #expect(cancelled.json?.value(at: "status") == .string("cancelled"))
            #expect(try await system.cancel(orderId, token: alice).status == .conflict)
            try await TestRedis.eventually(within: .seconds(10)) {
                guard try await system.basketItems(token: alice).isEmpty else { throw EndToEndError("basket not cleared") }
            }
            #expect(try await system.availableStock(5) == stock)
        }
    }

    @Test func aPriceChangeReachesAnOpenBasketWithTheOldPrice() async throws {
        try await EndToEndSystem.with { system in
            let alice = try await system.token("alice")
            let admin = try await system.token("admin")
            guard case .number(let old)? = try await system.item(6)["price"] else { throw EndToEndError("no price") }
            try await system.putBasket([(6, 1)], token: alice)
            let new = JSONNumber(try #require(old.decimalValue) + 1)
            try await system.updateItem(6, ["price": .number(new)], adminToken: admin)
            try await TestRedis.eventually(within: .seconds(10)) {
                let items = try await system.basketItems(token: alice)
                guard let item = items.first, item.value(at: "unitPrice") == .number(new) else { throw EndToEndError("basket still \(items)") }
                #expect(item.value(at: "oldUnitPrice") == .number(old))
            }
        }
    }

    /// Ten buyers check out 100 orders of one unit at once, for 90 units: exactly 90 are paid,
    /// 10 cancelled for lack of stock, and the stock ends at 0 (never oversold).
    @Test func hundredConcurrentCheckoutsNeverOversell() async throws {
        try await EndToEndSystem.with { system in
            let admin = try await system.token("admin")
            try await system.updateItem(7, ["availableStock": .number(90)], adminToken: admin)
            let buyers = try await system.addBuyers(10)
            let orders = try await CheckoutLoad.run(system, buyers: buyers, checkoutsEach: 10, productId: 7)
            #expect(orders.count == 100)
            var statuses: [String: Int] = [:]
            for (orderId, token) in orders {
                guard case .string(let status)? = try await system.waitForOrder(orderId, token: token, in: ["paid", "cancelled"]).value(at: "status") else { continue }
                statuses[status, default: 0] += 1
            }
            #expect(statuses == ["paid": 90, "cancelled": 10])
            try await TestRedis.eventually(within: .seconds(10)) {
                guard try await system.availableStock(7) == 0, try await system.reservedStock(7) == 0 else { throw EndToEndError("stock not settled") }
            }
        }
    }
}

/// Buyers checking out concurrently, each one checkout after the other (a buyer's next checkout
/// waits until Basket cleared the previous one, as a person would).
enum CheckoutLoad {
    /// Answers each order id with its buyer's token.
    static func run(_ system: EndToEndSystem, buyers: [String], checkoutsEach: Int, productId: Int) async throws -> [(String, String)] {
        try await withThrowingTaskGroup(of: [(String, String)].self) { group in
            for buyer in buyers {
                group.addTask {
                    let token = try await system.token(buyer)
                    var orders: [(String, String)] = []
                    for _ in 0..<checkoutsEach {
                        try await system.putBasket([(productId, 1)], token: token)
                        orders.append((try await system.checkout(token: token), token))
                        try await TestRedis.eventually(within: .seconds(60)) {
                            guard try await system.basketItems(token: token).isEmpty else { throw EndToEndError("basket of \(buyer) not cleared") }
                        }
                    }
                    return orders
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }
}
