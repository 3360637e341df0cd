import EventBus
import Foundation
import Testing

@testable import Ordering

/// The order process driven by events and the timer, in process.
@Suite(.timeLimit(.minutes(1))) struct OrderProcessTests {
    @Test func aCheckoutBecomesAPaidOrderPublishingEachStepOnce() async throws {
        let fixture = await OrderingFixture(gracePeriod: .zero)
        try await fixture.running {
            let orderId = try await fixture.checkout(by: "alice")
            let id = try #require(UUID(uuidString: orderId))
            #expect(try await fixture.order(orderId).status == .awaitingStockValidation)
            try await fixture.deliver(OrderStockConfirmed(orderId: id))
            try await fixture.deliver(OrderPaymentSucceeded(orderId: id))
            #expect(try await fixture.order(orderId).status == .paid)
            try await fixture.relay()
            #expect(fixture.published(OrderStatusChangedToSubmitted.self).map(\.orderId) == [id])
            #expect(fixture.published(OrderStatusChangedToAwaitingStockValidation.self).map(\.orderId) == [id])
            #expect(fixture.published(OrderStatusChangedToValidated.self).map(\.total) == [Decimal(string: "2.4")!])
            #expect(fixture.published(OrderStatusChangedToPaid.self).map(\.orderStockItems) == [[.init(productId: 1, units: 2), .init(productId: 2, units: 1)]])
        }
    }

    /// Redelivered and late events (new event ids, so the bus's deduplication does not catch
    /// them) change nothing: the state machine refuses them.
    @Test func repeatedAndLateEventsChangeNothing() async throws {
        let fixture = await OrderingFixture(gracePeriod: .zero)
        try await fixture.running {
            let checkout = OrderFactory.checkout(buyer: "alice")
            try await fixture.deliver(checkout)
            var again = checkout
            again.id = UUID()
            try await fixture.deliver(again)
            let id = checkout.requestId
            for _ in 0..<2 {
                try await fixture.deliver(OrderStockConfirmed(orderId: id))
                try await fixture.deliver(OrderPaymentSucceeded(orderId: id))
            }
            try await fixture.deliver(OrderPaymentFailed(orderId: id))
            try await fixture.deliver(OrderStockRejected(orderId: id, orderStockItems: [.init(productId: 1, hasStock: false)]))
            try await fixture.deliver(OrderStockConfirmed(orderId: UUID()))  // unknown order: dropped
            #expect(try await fixture.order(id.uuidString.lowercased()).status == .paid)
            try await fixture.relay()
            #expect(fixture.published(OrderStatusChangedToSubmitted.self).count == 1)
            #expect(fixture.published(OrderStatusChangedToValidated.self).count == 1)
            #expect(fixture.published(OrderStatusChangedToPaid.self).count == 1)
            #expect(fixture.published(OrderStatusChangedToCancelled.self).isEmpty)
            #expect(fixture.bus.deadLetters(topic: OrderStockConfirmed.topic).isEmpty)
        }
    }

    @Test func stockRejectedCancelsNamingTheProducts() async throws {
        let fixture = await OrderingFixture(gracePeriod: .zero)
        try await fixture.running {
            let orderId = try await fixture.checkout(by: "alice")
            try await fixture.deliver(
                OrderStockRejected(orderId: UUID(uuidString: orderId)!, orderStockItems: [.init(productId: 1, hasStock: false), .init(productId: 2, hasStock: true)]))
            let order = try await fixture.order(orderId)
            #expect(order.status == .cancelled)
            #expect(order.cancelReason == "not enough stock of Swift Mug (product 1)")
        }
    }

    @Test func aFailedPaymentCancels() async throws {
        let fixture = await OrderingFixture(gracePeriod: .zero)
        try await fixture.running {
            let orderId = try await fixture.checkout(by: "alice")
            try await fixture.deliver(OrderStockConfirmed(orderId: UUID(uuidString: orderId)!))
            try await fixture.deliver(OrderPaymentFailed(orderId: UUID(uuidString: orderId)!))
            let order = try await fixture.order(orderId)
            #expect(order.status == .cancelled)
            #expect(order.cancelReason == "the payment was refused")
        }
    }

    /// The timer is data: it fires when its time has come, once, whoever polls.
    @Test func theGracePeriodTimerFiresOnceWhenDue() async throws {
        let fixture = await OrderingFixture(gracePeriod: .seconds(60))
        try await fixture.running {
            let orderId = try await fixture.checkout(by: "alice")
            #expect(try await fixture.timer.fireDue() == 0)
            fixture.clock.advance(by: 59)
            #expect(try await fixture.timer.fireDue() == 0)
            #expect(try await fixture.order(orderId).status == .submitted)
            fixture.clock.advance(by: 1)
            // two replicas' timers at once: one moves the order, the other finds it moved
            async let first = fixture.timer.fireDue()
            async let second = fixture.timer.fireDue()
            _ = try await (first, second)
            #expect(try await fixture.timer.fireDue() == 0)
            #expect(try await fixture.order(orderId).status == .awaitingStockValidation)
            try await fixture.relay()
            #expect(fixture.published(OrderStatusChangedToAwaitingStockValidation.self).count == 1)
        }
    }
}
