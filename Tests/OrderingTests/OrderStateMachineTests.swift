import EventBus
import Foundation
import Testing

@testable import Ordering

@Suite struct OrderStateMachineTests {
    static let triggers: [OrderTrigger] = [
        .gracePeriodElapsed, .stockConfirmed, .stockRejected(productIds: [1]), .paymentSucceeded, .paymentFailed, .cancelledByBuyer, .shipped,
    ]

    /// The whole process, as the issue states it; every pair not listed must be refused.
    static let allowed: [OrderStatus: [OrderTrigger: OrderStatus]] = [
        .submitted: [.gracePeriodElapsed: .awaitingStockValidation, .cancelledByBuyer: .cancelled],
        .awaitingStockValidation: [.stockConfirmed: .stockConfirmed, .stockRejected(productIds: [1]): .cancelled, .cancelledByBuyer: .cancelled],
        .stockConfirmed: [.paymentSucceeded: .paid, .paymentFailed: .cancelled, .cancelledByBuyer: .cancelled],
        .paid: [.shipped: .shipped],
        .shipped: [:],
        .cancelled: [:],
    ]

    @Test(arguments: OrderStatus.allCases)
    func everyTransitionIsAllowedOrRefusedAsSpecified(_ status: OrderStatus) {
        for trigger in Self.triggers {
            #expect(OrderStateMachine.next(from: status, on: trigger) == Self.allowed[status]?[trigger], "\(status) on \(trigger)")
        }
    }

    @Test func aRefusedTransitionLeavesTheOrderAsItWas() throws {
        let order = OrderFactory.order(status: .paid)
        #expect(throws: OrderTransitionRefused(orderId: order.orderId, status: .paid, trigger: .cancelledByBuyer)) {
            try order.applying(.cancelledByBuyer, at: Date())
        }
    }

    @Test func aTransitionRecordsItsTimeAndClearsTheTimer() throws {
        let order = OrderFactory.order(status: .submitted)
        let at = Date(timeIntervalSince1970: 2_000_000_000)
        let next = try order.applying(.gracePeriodElapsed, at: at)
        #expect(next.status == .awaitingStockValidation)
        #expect(next.statusHistory.last == Order.StatusChange(status: .awaitingStockValidation, at: at))
        #expect(next.gracePeriodEndsAt == nil)
        #expect(next.cancelReason == nil)
    }

    @Test func cancelReasonsNameTheProductsThePaymentOrTheBuyer() throws {
        let waiting = OrderFactory.order(status: .awaitingStockValidation)
        #expect(try waiting.applying(.stockRejected(productIds: [2]), at: Date()).cancelReason == "not enough stock of Swift Cap (product 2)")
        let confirmed = OrderFactory.order(status: .stockConfirmed)
        #expect(try confirmed.applying(.paymentFailed, at: Date()).cancelReason == "the payment was refused")
        #expect(try confirmed.applying(.cancelledByBuyer, at: Date()).cancelReason == "cancelled by the buyer")
    }

    @Test func eachStatusPublishesItsEvent() throws {
        let order = OrderFactory.order(status: .submitted)
        #expect(order.statusEvent(at: Date()) is OrderStatusChangedToSubmitted)
        let waiting = try order.applying(.gracePeriodElapsed, at: Date())
        let stock = try #require(waiting.statusEvent(at: Date()) as? OrderStatusChangedToAwaitingStockValidation)
        #expect(stock.orderStockItems == [OrderStockItem(productId: 1, units: 2), OrderStockItem(productId: 2, units: 1)])
        let confirmed = try waiting.applying(.stockConfirmed, at: Date())
        #expect((confirmed.statusEvent(at: Date()) as? OrderStatusChangedToValidated)?.total == Decimal(string: "2.4"))
        let paid = try confirmed.applying(.paymentSucceeded, at: Date())
        #expect(paid.statusEvent(at: Date()) is OrderStatusChangedToPaid)
        #expect(try paid.applying(.shipped, at: Date()).statusEvent(at: Date()) is OrderStatusChangedToShipped)
        #expect(try confirmed.applying(.paymentFailed, at: Date()).statusEvent(at: Date()) is OrderStatusChangedToCancelled)
    }

    @Test func anOrderFromACheckoutIsSubmittedWithItsIdInLowerCaseAndItsTimer() {
        let now = Date(timeIntervalSince1970: 2_000_000_000)
        let checkout = OrderFactory.checkout(buyer: "alice")
        let order = Order(checkout, gracePeriod: .seconds(60), now: now)
        #expect(order.orderId == checkout.requestId.uuidString.lowercased())
        #expect(order.status == .submitted)
        #expect(order.gracePeriodEndsAt == now.addingTimeInterval(60))
        #expect(order.total == Decimal(string: "2.4"))
    }
}

/// Orders and checkouts for tests: two lines, 2 × 1.1 of product 1 and 1 × 0.2 of product 2.
enum OrderFactory {
    static func checkout(buyer: String, requestId: UUID = UUID()) -> UserCheckoutAccepted {
        UserCheckoutAccepted(
            userId: buyer, userName: buyer.capitalized, userEmail: "\(buyer)@example.com", city: "Seattle", street: "1 Main St", state: "WA",
            country: "US", zipCode: "98101", cardHolderName: buyer.capitalized, cardLastFourDigits: "1111",
            cardExpiration: Date(timeIntervalSince1970: 2_200_000_000), requestId: requestId,
            basket: .init(
                buyerId: buyer,
                items: [
                    .init(productId: 1, productName: "Swift Mug", unitPrice: Decimal(string: "1.1")!, quantity: 2),
                    .init(productId: 2, productName: "Swift Cap", unitPrice: Decimal(string: "0.2")!, quantity: 1),
                ]))
    }

    static func order(status: OrderStatus, buyer: String = "alice") -> Order {
        var order = Order(checkout(buyer: buyer), gracePeriod: .zero, now: Date())
        order.status = status
        return order
    }
}
