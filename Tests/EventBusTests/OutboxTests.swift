import EventBus
import Foundation
import Subprocess
import RedisClient
import StateClient
import StateStores
import Testing
import TestSupport

/// The state-client outbox and its relay, against the real Redis.
@Suite(.redisReachable, .timeLimit(.minutes(1))) struct OutboxTests {
    @Test func anEventCommittedByAProcessKilledBeforePublishingIsPublishedAfterRestartExactlyAsWritten() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let order = UUID()
            let eventID = UUID()
            let trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            var environment = Probe.environment(fixture)
            environment["STATE_KEY"] = "order-\(order)"
            environment["ORDER_ID"] = order.uuidString
            environment["EVENT_ID"] = eventID.uuidString
            environment["TRACEPARENT"] = trace
            let (_, status) = try await TestProcess.run([Probe.executable, "outbox-write"], environment: environment) { probe in
                try await probe.waitForLine(containing: "committed", within: .seconds(20))
                try probe.send(.kill)
                try await probe.waitForExit(within: .seconds(10))
            }
            #expect(status == .signaled(SIGKILL))

            // After the "restart": the state change is there, the event waits in the outbox, unpublished.
            let state = fixture.state(redis)
            #expect(try await state.get("order-\(order)")?.value == Array("paid".utf8))
            let bus = fixture.bus(redis)
            let stream = bus.stream(OrderPaymentSucceeded.topic)
            #expect(try await fixture.length(redis, stream) == 0)
            let outbox = StateOutbox(state: state)
            let written = try await outbox.pending(limit: 10)
            #expect(written.count == 1)

            let relay = OutboxRelay(outbox: outbox, bus: bus, logger: fixture.logger)
            #expect(try await relay.relayPending() == 1)
            let entries = try await redis.send(RedisCommand("XRANGE", stream, "-", "+")).array ?? []
            #expect(entries.count == 1)
            let fields = entries.first?.array?.last?.array ?? []
            #expect(fields.count == 2)
            #expect(fields.last?.bytes == written.first?.envelope.bytes)
            let envelope = EventEnvelope(topic: OrderPaymentSucceeded.topic, bytes: fields.last?.bytes ?? [])
            let header = try envelope.header()
            #expect(header.id == eventID.uuidString.lowercased())
            // The span that wrote it: the caller's trace, a span of its own.
            #expect(header.traceContext.traceID == trace.split(separator: "-")[1])
            #expect(header.traceContext.spanID != trace.split(separator: "-")[2])
            #expect(header.source == fixture.appID)
            #expect(try envelope.event(as: OrderPaymentSucceeded.self).orderId == order)
            #expect(try await outbox.pending(limit: 10).isEmpty)
            try await fixture.cleanUp(redis)
        }
    }

    @Test func aRolledBackTransactionPublishesNothing() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let state = fixture.state(redis)
            let outbox = StateOutbox(state: state)
            try await state.save("product-1", bytes: Array("10".utf8))
            let stale = try #require(try await state.get("product-1")).etag
            try await state.save("product-1", bytes: Array("11".utf8))  // someone else changed it meanwhile

            await #expect(throws: StateError.self) {
                try await outbox.transaction(
                    [.upsert(key: "product-1", bytes: Array("12".utf8), options: .init(etag: stale))],
                    publishing: [ProductPriceChanged(productId: 1, newPrice: 12, oldPrice: 11)])
            }
            let bus = fixture.bus(redis)
            #expect(try await OutboxRelay(outbox: outbox, bus: bus, logger: fixture.logger).relayPending() == 0)
            #expect(try await fixture.length(redis, bus.stream(ProductPriceChanged.topic)) == 0)
            #expect(try await state.get("product-1")?.value == Array("11".utf8))
            try await fixture.cleanUp(redis)
        }
    }

    @Test func theRunningRelayPublishesCommittedEventsInTheOrderTheyWereWritten() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let state = fixture.state(redis)
            let outbox = StateOutbox(state: state)
            let bus = fixture.bus(redis)
            let relay = OutboxRelay(outbox: outbox, bus: bus, pollInterval: .seconds(30), batchSize: 7, logger: fixture.logger)
            let products = Array(1...30)
            try await fixture.running([relay]) {
                for product in products {
                    try await outbox.transaction(
                        [.upsert(key: "product-\(product)", bytes: Array("\(product)".utf8))],
                        publishing: [ProductPriceChanged(productId: product, newPrice: Decimal(product), oldPrice: 0)])
                }
                relay.wake()
                try await TestRedis.eventually(within: .seconds(10)) {
                    guard try await fixture.length(redis, bus.stream(ProductPriceChanged.topic)) == products.count else {
                        throw NotYet(description: "not all relayed")
                    }
                }
            }
            let entries = try await redis.send(RedisCommand("XRANGE", bus.stream(ProductPriceChanged.topic), "-", "+")).array ?? []
            let published = try entries.map { entry in
                try EventEnvelope(topic: ProductPriceChanged.topic, bytes: entry.array?.last?.array?.last?.bytes ?? [])
                    .event(as: ProductPriceChanged.self).productId
            }
            #expect(published == products)
            #expect(try await outbox.pending(limit: 100).isEmpty)
            try await fixture.cleanUp(redis)
        }
    }

    /// The relay reads back what its own outbox committed: the keyspace is listed once at start,
    /// not on every pass (on Redis a listing is a `SCAN` of every key of the database).
    @Test func theRelayFindsWhatItsOutboxWroteWithoutListingTheKeyspace() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let counter = KeyListingCounter(RedisStateStore(client: redis, logger: fixture.logger))
            let outbox = StateOutbox(state: StateClient(store: counter, storeName: "statestore", appID: fixture.appID))
            let bus = fixture.bus(redis)
            let relay = OutboxRelay(outbox: outbox, bus: bus, logger: fixture.logger)
            #expect(try await relay.relayPending() == 0)
            #expect(counter.count == 1)
            for product in 1...5 {
                try await outbox.transaction(
                    [.upsert(key: "product-\(product)", bytes: Array("\(product)".utf8))],
                    publishing: [ProductPriceChanged(productId: product, newPrice: Decimal(product), oldPrice: 0)])
                #expect(try await relay.relayPending() == 1)
            }
            #expect(try await fixture.length(redis, bus.stream(ProductPriceChanged.topic)) == 5)
            #expect(counter.count == 1)
            try await fixture.cleanUp(redis)
        }
    }

    /// An entry another process committed (a replica, or a process that crashed before relaying)
    /// is published after the next listing; one another relay published is dropped, not retried.
    @Test func entriesOfOtherProcessesArePublishedAfterTheNextListing() async throws {
        let fixture = RedisEventsFixture()
        try await TestRedis.withClient { redis in
            let state = fixture.state(redis)
            let (writer, relaying) = (StateOutbox(state: state), StateOutbox(state: state, listingInterval: .milliseconds(200)))
            let bus = fixture.bus(redis)
            let relay = OutboxRelay(outbox: relaying, bus: bus, logger: fixture.logger)
            #expect(try await relay.relayPending() == 0)
            #expect(try await writer.pending(limit: 10).isEmpty)  // its listing, before the entry
            try await writer.transaction([], publishing: [ProductPriceChanged(productId: 1, newPrice: 2, oldPrice: 1)])
            try await TestRedis.eventually(within: .seconds(10)) {
                guard try await relay.relayPending() == 1 else { throw NotYet(description: "not relayed") }
            }
            #expect(try await writer.pending(limit: 10).isEmpty)  // read back, found gone, dropped
            #expect(try await fixture.length(redis, bus.stream(ProductPriceChanged.topic)) == 1)
            try await fixture.cleanUp(redis)
        }
    }
}
