import EventBus
import Foundation
import Subprocess
import RedisClient
import ServiceLifecycleTestKit
import Synchronization
import Testing
import TestSupport
import Tracing

/// The bus against the real Redis of `scripts/test`, each test on streams and state of its own.
@Suite(.redisReachable, .timeLimit(.minutes(1))) struct RedisStreamsEventBusTests {
    @Test func twoConsumersOfOneGroupShareATopicAndHandleEachEventOnce() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let log = HandledLog()
            let buses = ["first", "second"].map { name in
                let bus = fixture.bus(redis, fixture.configuration(consumer: name))
                bus.subscribe(OrderPaymentSucceeded.self) { event, context in log.record(event.orderId, context, consumer: name) }
                return bus
            }
            let orders = (0..<200).map { _ in UUID() }
            try await fixture.running(buses) {
                for order in orders { try await buses[0].publish(OrderPaymentSucceeded(orderId: order)) }
                try await TestRedis.eventually(within: .seconds(15)) {
                    guard log.distinct == orders.count else { throw NotYet(description: "handled \(log.distinct) of \(orders.count)") }
                }
                let stream = buses[0].stream(OrderPaymentSucceeded.topic)
                try await TestRedis.eventually(within: .seconds(5)) {
                    guard try await fixture.pending(redis, stream) == 0 else { throw NotYet(description: "messages still pending") }
                }
            }
            #expect(log.total == orders.count)
            #expect(orders.allSatisfy { log.count($0) == 1 })
            try await fixture.cleanUp(redis)
        }
    }

    @Test func aMessageAConsumerReadButNeverAcknowledgedIsHandledByAnotherAfterTheReclaimTimeout() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let order = UUID()
            let publisher = fixture.bus(redis)
            let stream = publisher.stream(OrderPaymentSucceeded.topic)
            let (_, status) = try await TestProcess.run([Probe.executable, "consume"], environment: Probe.environment(fixture)) { probe in
                try await waitUntil("the probe to create the consumer group", within: .seconds(20)) {
                    try await redis.send(RedisCommand("EXISTS", stream)).int == 1
                }
                try await publisher.publish(OrderPaymentSucceeded(orderId: order))
                try await probe.waitForLine(containing: "handling \(order.uuidString.lowercased())", within: .seconds(10))
                try probe.send(.kill)
                try await probe.waitForExit(within: .seconds(10))
            }
            #expect(status == .signaled(SIGKILL))
            #expect(try await fixture.pending(redis, stream) == 1)

            let log = HandledLog()
            let survivor = fixture.bus(redis, fixture.configuration(consumer: "survivor", reclaimIdle: .milliseconds(500)))
            survivor.subscribe(OrderPaymentSucceeded.self) { event, context in log.record(event.orderId, context) }
            let started = ContinuousClock.now
            try await fixture.running([survivor]) {
                // The lease the probe took (1 s in tests) expires, then the reclaimed event is handled.
                try await TestRedis.eventually(within: .seconds(10)) {
                    guard log.count(order) == 1 else { throw NotYet(description: "not reclaimed") }
                }
                try await TestRedis.eventually(within: .seconds(5)) {
                    guard try await fixture.pending(redis, stream) == 0 else { throw NotYet(description: "not acknowledged") }
                }
            }
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(log.contexts.first?.attempt == 2)
            try await fixture.cleanUp(redis)
        }
    }

    @Test func aHandlerThatAlwaysThrowsDeadLettersItsEventWhileOthersFlowAndReplaySendsItBack() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let poison = UUID()
            let others = (0..<5).map { _ in UUID() }
            let fixed = Gate()
            let log = HandledLog()
            let bus = fixture.bus(redis)
            bus.subscribe(OrderPaymentSucceeded.self) { event, context in
                if event.orderId == poison, !fixed.isOpen {
                    throw HandlerFailure(description: "payment service unreachable for \(event.orderId)")
                }
                log.record(event.orderId, context)
            }
            let deadLetters = DeadLetters(client: redis, streamPrefix: fixture.prefix)
            let topic = OrderPaymentSucceeded.topic
            let poisonEvent = OrderPaymentSucceeded(orderId: poison)
            try await fixture.running([bus]) {
                try await bus.publish(poisonEvent)
                for order in others { try await bus.publish(OrderPaymentSucceeded(orderId: order)) }
                let letters = try await TestRedis.eventually(within: .seconds(10)) {
                    let letters = try await deadLetters.list(topic: topic)
                    guard !letters.isEmpty else { throw NotYet(description: "nothing dead-lettered") }
                    return letters
                }
                try await TestRedis.eventually(within: .seconds(10)) {
                    guard others.allSatisfy({ log.count($0) == 1 }) else { throw NotYet(description: "others not handled") }
                }
                #expect(letters.count == 1)
                let letter = try #require(letters.first)
                #expect(letter.attempts == 3)
                #expect(letter.error.contains("payment service unreachable for \(poison)"))
                #expect(letter.group == fixture.appID)
                let parked = try letter.envelope.event(as: OrderPaymentSucceeded.self)
                #expect(parked.id == poisonEvent.id && parked.orderId == poison)
                #expect(log.count(poison) == 0)
                try await TestRedis.eventually(within: .seconds(5)) {
                    guard try await fixture.pending(redis, bus.stream(topic)) == 0 else { throw NotYet(description: "still pending") }
                }

                fixed.open()
                try await deadLetters.replay(topic: topic, id: letter.id)
                try await TestRedis.eventually(within: .seconds(10)) {
                    guard log.count(poison) == 1 else { throw NotYet(description: "replayed event not handled") }
                }
                #expect(try await deadLetters.list(topic: topic).isEmpty)
            }
            try await fixture.cleanUp(redis)
        }
    }

    @Test func aMessageWhoseConsumersKeptDyingIsDeadLetteredWithoutAnotherRun() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let log = HandledLog()
            let survivor = fixture.bus(redis, fixture.configuration(consumer: "survivor", reclaimIdle: .milliseconds(200)))
            survivor.subscribe(OrderPaymentSucceeded.self) { event, context in log.record(event.orderId, context) }
            let stream = survivor.stream(OrderPaymentSucceeded.topic)
            // Three consumers read the event in turn and died before acknowledging it (the state a
            // crash-looping handler leaves): delivery count 3, the policy's maximum.
            _ = try await redis.send(RedisCommand("XGROUP", "CREATE", stream, fixture.appID, "0", "MKSTREAM"))
            try await survivor.publish(OrderPaymentSucceeded(orderId: UUID()))
            let read = try await redis.send(
                RedisCommand("XREADGROUP", "GROUP", fixture.appID, "dead-1", "COUNT", 1, "STREAMS", stream, ">"))
            let id = try #require(read.array?.first?.array?.last?.array?.first?.array?.first?.string)
            for consumer in ["dead-2", "dead-3"] {
                _ = try await redis.send(RedisCommand("XCLAIM", stream, fixture.appID, consumer, 0, id))
            }
            let deadLetters = DeadLetters(client: redis, streamPrefix: fixture.prefix)
            try await fixture.running([survivor]) {
                let letters = try await TestRedis.eventually(within: .seconds(10)) {
                    let letters = try await deadLetters.list(topic: OrderPaymentSucceeded.topic)
                    guard !letters.isEmpty else { throw NotYet(description: "not dead-lettered") }
                    return letters
                }
                #expect(letters.first?.streamID == id)
                #expect(letters.first?.error.contains("delivered 3 times") == true)
            }
            #expect(log.total == 0)
            #expect(try await fixture.pending(redis, stream) == 0)
            try await fixture.cleanUp(redis)
        }
    }

    @Test func theSameEventPublishedTwiceRunsTheHandlerOnce() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let log = HandledLog()
            let buses = ["first", "second"].map { name in
                let bus = fixture.bus(redis, fixture.configuration(consumer: name))
                bus.subscribe(OrderStockConfirmed.self) { event, context in log.record(event.orderId, context) }
                return bus
            }
            let event = OrderStockConfirmed(orderId: UUID())
            let stream = buses[0].stream(OrderStockConfirmed.topic)
            try await fixture.running(buses) {
                try await buses[0].publish(event)
                try await buses[1].publish(event)
                try await TestRedis.eventually(within: .seconds(10)) {
                    guard try await fixture.length(redis, stream) == 2, try await fixture.pending(redis, stream) == 0,
                        log.total == 1
                    else { throw NotYet(description: "both copies not yet acknowledged") }
                }
            }
            #expect(log.count(event.orderId) == 1)
            try await fixture.cleanUp(redis)
        }
    }

    @Test func theHandlerRunsInASpanOfThePublishersTrace() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let log = HandledLog()
            let seenInTask = HandledTraces()
            let bus = fixture.bus(redis)
            bus.subscribe(OrderStockConfirmed.self) { event, context in
                seenInTask.append(.current)
                log.record(event.orderId, context)
            }
            let event = OrderStockConfirmed(orderId: UUID())
            // The W3C trace id the caller chose (as an HTTP request's traceparent would).
            let caller = TraceContextHeaders(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            try await withTracer(W3CTestTracer.make()) {
                try await fixture.running([bus]) {
                    try await withSpan("checkout", context: caller.serviceContext()) { _ in try await bus.publish(event) }
                    try await TestRedis.eventually(within: .seconds(10)) {
                        guard log.total == 1 else { throw NotYet(description: "not handled") }
                    }
                }
            }
            let context = try #require(log.contexts.first)
            #expect(context.header.traceContext.traceID == caller.traceID)
            #expect(context.header.source == fixture.appID)
            #expect(context.header.id == event.id.uuidString.lowercased())
            #expect(seenInTask.all.map(\.traceID) == [caller.traceID])
            #expect(seenInTask.all.first?.spanID != context.header.traceContext.spanID)
            try await fixture.cleanUp(redis)
        }
    }

    @Test func gracefulShutdownFinishesTheHandlerInFlightAndAcknowledgesIt() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let started = Gate()
            let release = Gate()
            let log = HandledLog()
            let bus = fixture.bus(redis)
            bus.subscribe(OrderStockConfirmed.self) { event, context in
                started.open()
                try await release.wait()
                log.record(event.orderId, context)
            }
            let stream = bus.stream(OrderStockConfirmed.topic)
            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await bus.run() }
                    try await bus.publish(OrderStockConfirmed(orderId: UUID()))
                    try await started.wait()
                    trigger.triggerGracefulShutdown()
                    release.open()
                    try await group.waitForAll()  // run() returns once the handler finished
                }
            }
            #expect(log.total == 1)
            #expect(try await fixture.pending(redis, stream) == 0)
            try await fixture.cleanUp(redis)
        }
    }

    @Test func streamsAreTrimmedApproximatelyToTheConfiguredLength() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let bus = fixture.bus(redis, fixture.configuration(maximumStreamLength: 100))
            for _ in 0..<1_000 { try await bus.publish(ProductPriceChanged(productId: 1, newPrice: 2, oldPrice: 1)) }
            let length = try await fixture.length(redis, bus.stream(ProductPriceChanged.topic))
            #expect((100..<300).contains(length))
            try await fixture.cleanUp(redis)
        }
    }
}

/// Trace contexts seen by a handler.
final class HandledTraces: Sendable {
    private let traces = Mutex<[TraceContextHeaders]>([])
    func append(_ trace: TraceContextHeaders) { traces.withLock { $0.append(trace) } }
    var all: [TraceContextHeaders] { traces.withLock { $0 } }
}
