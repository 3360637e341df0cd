import EventBus
import Logging
import PostgresNIO
import RedisClient
import StateClient
import StateStores

/// Catalog on the event bus: it answers stock validations and settles reservations, and its
/// outbox (stock answers, price changes) is relayed to the bus.
struct CatalogEvents: Sendable {
    let bus: RedisStreamsEventBus
    let relay: OutboxRelay

    /// The bus on `redis` (handled-event records in Redis through the state client, as every
    /// service) with Catalog's subscriptions, and the relay of `catalog.outbox`.
    init(redis: RedisClient, postgres: PostgresClient, configuration: RedisStreamsEventBus.Configuration, logger: Logger) {
        let handled = StateClient(
            store: ResilientStateStore(RedisStateStore(client: redis, logger: logger), logger: logger), storeName: "statestore", appID: configuration.appID)
        bus = RedisStreamsEventBus(client: redis, state: handled, configuration: configuration, logger: logger)
        relay = OutboxRelay(outbox: CatalogOutbox(client: postgres, logger: logger), bus: bus, logger: logger)
        let stock = CatalogStock(client: postgres, logger: logger)
        let relay = relay
        bus.subscribe(OrderStatusChangedToAwaitingStockValidation.self) { event in
            try await stock.validate(orderId: event.orderId, items: event.orderStockItems)
            relay.wake()
        }
        bus.subscribe(OrderStatusChangedToPaid.self) { event in try await stock.decrement(orderId: event.orderId) }
        bus.subscribe(OrderStatusChangedToCancelled.self) { event in try await stock.release(orderId: event.orderId) }
    }
}
