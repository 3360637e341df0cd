import EventBus
import Logging
import Foundation
import ServiceLifecycleTestKit
import StateClient
import Testing
import TestSupport
import Tracing

/// The in-memory bus follows the same delivery rules, without Redis.
@Suite(.timeLimit(.minutes(1))) struct InMemoryEventBusTests {
    @Test func aHandlerRunsInASpanOfThePublishersTrace() async throws {
        let bus = InMemoryEventBus(appID: "ordering-api")
        let log = HandledLog()
        let seen = HandledTraces()
        bus.subscribe(OrderStockConfirmed.self) { event, context in
            seen.append(.current)
            log.record(event.orderId, context)
        }
        let event = OrderStockConfirmed(orderId: UUID())
        let publisher = try await withTracer(W3CTestTracer.make()) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await bus.run() }
                let publisher = try await withSpan("checkout") { _ in
                    try await bus.publish(event)
                    return TraceContextHeaders.current
                }
                await bus.waitUntilIdle()
                group.cancelAll()
                return publisher
            }
        }
        #expect(log.count(event.orderId) == 1)
        let header = try #require(log.contexts.first?.header)
        #expect(header.traceContext.traceID == publisher.traceID)
        #expect(header.traceContext.spanID != publisher.spanID)  // the publish span, the checkout's child
        #expect(seen.all.first?.traceID == publisher.traceID)
        #expect(seen.all.first?.spanID != header.traceContext.spanID)  // the handler's own span
        #expect(header.source == "ordering-api")
        #expect(log.contexts.first?.attempt == 1)
    }

    @Test func anEventPublishedByAHandlerContinuesTheTrace() async throws {
        let bus = InMemoryEventBus(appID: "ordering-api")
        let log = HandledLog()
        bus.subscribe(OrderPaymentSucceeded.self) { event in
            try await bus.publish(OrderStatusChangedToShipped(orderId: event.orderId, orderStatus: .shipped, description: "", buyerId: "alice"))
        }
        bus.subscribe(OrderStatusChangedToShipped.self) { event, context in log.record(event.orderId, context) }
        let trace = try await withTracer(W3CTestTracer.make()) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await bus.run() }
                let trace = try await withSpan("payment") { _ in
                    try await bus.publish(OrderPaymentSucceeded(orderId: UUID()))
                    return TraceContextHeaders.current
                }
                await bus.waitUntilIdle()
                group.cancelAll()
                return trace
            }
        }
        #expect(log.contexts.map(\.header.traceContext.traceID) == [trace.traceID])
    }

    @Test func aFailingHandlerIsRetriedThenDeadLetteredAndReplayRunsItAgain() async throws {
        let bus = InMemoryEventBus(retry: RetryPolicy(maximumAttempts: 4, initialBackoff: .milliseconds(1)))
        let attempts = HandledLog()
        let fixed = Gate()
        let log = HandledLog()
        bus.subscribe(OrderPaymentFailed.self) { event, context in
            attempts.record(event.orderId, context)
            guard fixed.isOpen else { throw HandlerFailure(description: "always fails") }
            log.record(event.orderId, context)
        }
        let failing = OrderPaymentFailed(orderId: UUID())
        let other = OrderPaymentFailed(orderId: UUID())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            try await bus.publish(failing)
            await bus.waitUntilIdle()
            let letters = bus.deadLetters(topic: OrderPaymentFailed.topic)
            #expect(letters.count == 1)
            #expect(letters.first?.attempts == 4)
            #expect(letters.first?.error == "always fails")
            #expect(attempts.count(failing.orderId) == 4)
            #expect(attempts.contexts.map(\.attempt) == [1, 2, 3, 4])

            fixed.open()
            try await bus.publish(other)
            try await bus.replay(topic: OrderPaymentFailed.topic, id: try #require(letters.first).id)
            await bus.waitUntilIdle()
            group.cancelAll()
        }
        #expect(log.count(failing.orderId) == 1)
        #expect(log.count(other.orderId) == 1)
        #expect(bus.deadLetters(topic: OrderPaymentFailed.topic).isEmpty)
    }

    @Test func anEventPublishedTwiceIsHandledOnce() async throws {
        let bus = InMemoryEventBus()
        let log = HandledLog()
        bus.subscribe(ProductPriceChanged.self) { event, context in log.record(event.id, context) }
        let event = ProductPriceChanged(productId: 7, newPrice: Decimal(string: "9.99")!, oldPrice: 10)
        try await bus.publish(event)  // before run: delivered once the bus runs
        try await bus.publish(event)
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            await bus.waitUntilIdle()
            group.cancelAll()
        }
        #expect(log.count(event.id) == 1)
        #expect(bus.published(topic: ProductPriceChanged.topic).count == 2)
    }

    @Test func runEndsAtGracefulShutdown() async throws {
        let bus = InMemoryEventBus()
        let log = HandledLog()
        bus.subscribe(OrderStockConfirmed.self) { event, context in log.record(event.orderId, context) }
        let event = OrderStockConfirmed(orderId: UUID())
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await bus.run() }
                try await bus.publish(event)
                await bus.waitUntilIdle()
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()  // run() returned by itself
            }
        }
        #expect(log.count(event.orderId) == 1)
    }

    @Test func theOutboxRelayRelaysWhenWokenAndEndsAtGracefulShutdown() async throws {
        let bus = InMemoryEventBus()
        let outbox = StateOutbox(state: StateClient(store: MemoryStateStore(), storeName: "statestore", appID: "catalog-api"))
        let relay = OutboxRelay(outbox: outbox, bus: bus, pollInterval: .seconds(3600), logger: Logger(label: "relay-test"))
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                try await outbox.transaction(
                    [.upsert(key: "product-1", bytes: Array("1".utf8))],
                    publishing: [ProductPriceChanged(productId: 1, newPrice: 2, oldPrice: 1)])
                relay.wake()  // long before the next poll
                try await waitUntil("the relay to publish the woken entry", within: .seconds(10)) {
                    bus.published(topic: ProductPriceChanged.topic).count == 1
                }
                #expect(try await outbox.pending(limit: 10).isEmpty)
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()  // run() returned by itself
            }
        }
    }
}
