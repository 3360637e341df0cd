import EventBus
import Foundation
import Logging
import PostgresNIO
import RedisClient
import StateClient
import StateStores
import Testing
import TestSupport

/// Ordering keeps its state in PostgreSQL: its outbox and its handled-event records live there,
/// while the events travel on Redis.
@Suite(.redisReachable, .postgresReachable, .timeLimit(.minutes(1))) struct PostgresOutboxTests {
    @Test func theOutboxAndTheHandledEventLogWorkOnThePostgreSQLStateStore() async throws {
        let fixture = RedisEventsFixture()
        try await withPostgresState(appID: fixture.appID) { orders in
            try await TestRedis.withClient { redis in
                let outbox = StateOutbox(state: orders)
                let log = HandledLog()
                let bus = RedisStreamsEventBus(client: redis, state: orders, configuration: fixture.configuration(), logger: fixture.logger)
                bus.subscribe(OrderStatusChangedToPaid.self) { event, context in log.record(event.orderId, context) }
                let relay = OutboxRelay(outbox: outbox, bus: bus, logger: fixture.logger)
                let order = UUID()
                let paid = OrderStatusChangedToPaid(
                    orderId: order, orderStatus: .paid, description: "paid", orderStockItems: [OrderStockItem(productId: 1, units: 2)], buyerId: "alice")
                try await outbox.transaction([.upsert(key: "order-\(order)", bytes: Array(#"{"status":"paid"}"#.utf8))], publishing: [paid])
                await #expect(throws: StateError.self) {  // a conflicting write rolls back its event too
                    try await outbox.transaction(
                        [.upsert(key: "order-\(order)", bytes: Array("{}".utf8), options: .init(etag: "999"))],
                        publishing: [OrderStatusChangedToCancelled(orderId: order, orderStatus: .cancelled, description: "", buyerId: "alice")])
                }
                #expect(try await outbox.pending(limit: 10).map(\.envelope.topic) == [OrderStatusChangedToPaid.topic])
                try await fixture.running([bus]) {
                    #expect(try await relay.relayPending() == 1)
                    try await bus.publish(paid)  // a second copy of the same event
                    try await TestRedis.eventually(within: .seconds(10)) {
                        guard try await fixture.length(redis, bus.stream(OrderStatusChangedToPaid.topic)) == 2,
                            try await fixture.pending(redis, bus.stream(OrderStatusChangedToPaid.topic)) == 0, log.total == 1
                        else { throw NotYet(description: "not both acknowledged") }
                    }
                }
                #expect(log.count(order) == 1)
                #expect(try await outbox.pending(limit: 10).isEmpty)
                #expect(try await fixture.length(redis, bus.stream(OrderStatusChangedToCancelled.topic)) == 0)
                try await fixture.cleanUp(redis)
            }
        }
    }
}

/// A state client on a migrated PostgreSQL state table of its own, dropped afterwards.
func withPostgresState(appID: String, _ body: @Sendable (StateClient) async throws -> Void) async throws {
    let environment = ProcessInfo.processInfo.environment
    let configuration = PostgresClient.Configuration(
        host: environment["POSTGRES_HOST"] ?? "127.0.0.1", port: environment["POSTGRES_PORT"].flatMap(Int.init) ?? 5432,
        username: environment["POSTGRES_USER"] ?? "postgres", password: environment["POSTGRES_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 },
        database: environment["POSTGRES_DATABASE"] ?? "postgres", tls: .disable)
    let logger = Logger(label: "event-bus-tests")
    let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        let table = "events_state_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        let store = PostgresStateStore(client: client, tableName: table, metadataTableName: table + "_meta", cleanupInterval: nil, logger: logger)
        do {
            try await store.migrate()
            try await body(StateClient(store: store, storeName: "orderstore", appID: appID))
        } catch {
            _ = try? await client.query("DROP TABLE IF EXISTS \(unescaped: "\"\(table)\", \"\(table)_meta\"")", logger: logger)
            throw error
        }
        try await client.query("DROP TABLE IF EXISTS \(unescaped: "\"\(table)\", \"\(table)_meta\"")", logger: logger)
    }
}
