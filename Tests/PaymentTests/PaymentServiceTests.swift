import EventBus
import Foundation
import Logging
import StateClient
import Testing

@testable import Payment

@Suite struct PaymentServiceTests {
    func validated(total: String, orderId: UUID = UUID()) -> OrderStatusChangedToValidated {
        OrderStatusChangedToValidated(orderId: orderId, orderStatus: .stockConfirmed, description: "", total: Decimal(string: total)!, buyerId: "alice")
    }

    /// Runs `body` with a service over a memory store and the in-memory bus.
    func withPayment(_ rule: PaymentRule, _ body: (InMemoryEventBus, PaymentService) async throws -> Void) async throws {
        let state = StateClient(store: MemoryStateStore(), storeName: "statestore", appID: "payment-api")
        let bus = InMemoryEventBus(appID: "payment-api")
        let service = PaymentService(rule: rule, outbox: StateOutbox(state: state), wakeRelay: {}, logger: Logger(label: "payment-test"))
        bus.subscribe(OrderStatusChangedToValidated.self) { event in try await service.charge(event) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            defer { group.cancelAll() }
            try await body(bus, service)
        }
    }

    /// Once every handler ran, relays the outbox and answers the outcomes published.
    func outcomes(_ bus: InMemoryEventBus, _ service: PaymentService) async throws -> (succeeded: [UUID], failed: [UUID]) {
        await bus.waitUntilIdle()
        try await OutboxRelay(outbox: service.outbox, bus: bus, logger: Logger(label: "payment-test")).relayPending()
        await bus.waitUntilIdle()
        let succeeded = bus.published(topic: OrderPaymentSucceeded.topic).compactMap { try? $0.event(as: OrderPaymentSucceeded.self).orderId }
        let failed = bus.published(topic: OrderPaymentFailed.topic).compactMap { try? $0.event(as: OrderPaymentFailed.self).orderId }
        return (succeeded, failed)
    }

    @Test(.timeLimit(.minutes(1))) func everyPaymentSucceedsByDefault() async throws {
        try await withPayment(.alwaysSucceed) { bus, service in
            let event = validated(total: "1000000")
            try await bus.publish(event)
            let result = try await outcomes(bus, service)
            #expect(result.succeeded == [event.orderId])
            #expect(result.failed.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aTotalAboveTheLimitFails() async throws {
        try await withPayment(.failAbove(100)) { bus, service in
            let cheap = validated(total: "100")
            let dear = validated(total: "100.01")
            try await bus.publish(cheap)
            try await bus.publish(dear)
            let result = try await outcomes(bus, service)
            #expect(result.succeeded == [cheap.orderId])
            #expect(result.failed == [dear.orderId])
        }
    }

    /// A second `OrderStatusChangedToValidated` for the same order (a republished event with a
    /// new event id, so the bus's deduplication does not catch it) charges nothing more.
    @Test(.timeLimit(.minutes(1))) func chargesEachOrderOnce() async throws {
        try await withPayment(.alwaysSucceed) { bus, service in
            let orderId = UUID()
            try await bus.publish(validated(total: "5", orderId: orderId))
            try await bus.publish(validated(total: "5", orderId: orderId))
            try await service.charge(validated(total: "5", orderId: orderId))
            let result = try await outcomes(bus, service)
            #expect(result.succeeded == [orderId])
        }
    }
}
