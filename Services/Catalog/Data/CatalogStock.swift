import EventBus
import Foundation
import Logging
import PostgresNIO
import StateStores

/// The catalog's part of the order process, each step one SQL transaction that also writes its
/// outgoing event to ``CatalogOutbox``, and happens once per order (the `order_stock` row of the
/// order says how far it went, whatever the number of deliveries).
///
/// Stock is **reserved at validation**: `reserved_stock` grows only if `available_stock -
/// reserved_stock` covers the units, with the product rows locked (`FOR UPDATE`, in id order),
/// so two concurrent orders can never both take the last units. Payment turns the reservation
/// into a decrement of `available_stock`; a cancellation releases it.
struct CatalogStock: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// `OrderStatusChangedToAwaitingStockValidation`: reserves every item and publishes
    /// `OrderStockConfirmed`, or reserves nothing and publishes `OrderStockRejected` listing each
    /// product and whether it had stock. Nothing happens for an order already validated.
    func validate(orderId: UUID, items: [OrderStockItem]) async throws {
        let logger = logger
        var wanted: [Int: Int] = [:]
        for item in items { wanted[item.productId, default: 0] += item.units }
        try await client.withTransaction(logger: logger) { connection in
            let claimed = try await connection.tracedQuery(
                "INSERT INTO catalog.order_stock (order_id, state) VALUES (\(orderId), 'reserved') ON CONFLICT (order_id) DO NOTHING RETURNING order_id",
                logger: logger
            ).collect()
            guard !claimed.isEmpty else { return }  // validated before: its answer is in the outbox already
            let ids = wanted.keys.sorted()
            var free: [Int: Int] = [:]
            for try await (id, units) in try await connection.tracedQuery(
                "SELECT id, available_stock - reserved_stock FROM catalog.catalog_items WHERE id = ANY(\(ids)) ORDER BY id FOR UPDATE", logger: logger
            ).decode((Int, Int).self) {
                free[id] = units
            }
            let verdicts = ids.map { ConfirmedOrderStockItem(productId: $0, hasStock: (free[$0] ?? 0) >= wanted[$0, default: 0]) }
            guard verdicts.allSatisfy(\.hasStock) else {
                _ = try await connection.tracedQuery(
                    "UPDATE catalog.order_stock SET state = 'rejected', updated_at = now() WHERE order_id = \(orderId)", logger: logger
                ).collect()
                try await CatalogOutbox.insert(OrderStockRejected(orderId: orderId, orderStockItems: verdicts), on: connection, logger: logger)
                return
            }
            for id in ids {
                let units = wanted[id, default: 0]
                _ = try await connection.tracedQuery(
                    "UPDATE catalog.catalog_items SET reserved_stock = reserved_stock + \(units) WHERE id = \(id)", logger: logger
                ).collect()
                _ = try await connection.tracedQuery(
                    "INSERT INTO catalog.stock_reservations (order_id, product_id, units) VALUES (\(orderId), \(id), \(units))", logger: logger
                ).collect()
            }
            try await CatalogOutbox.insert(OrderStockConfirmed(orderId: orderId), on: connection, logger: logger)
        }
    }

    /// `OrderStatusChangedToPaid`: the reserved units leave `available_stock` (never below zero),
    /// once per order.
    func decrement(orderId: UUID) async throws {
        try await settle(orderId: orderId, as: "decremented", setting: "available_stock = GREATEST(i.available_stock - r.units, 0), ")
    }

    /// `OrderStatusChangedToCancelled`: the reservation, if any, is released, once per order.
    func release(orderId: UUID) async throws {
        try await settle(orderId: orderId, as: "released", setting: "")
    }

    /// Moves the order's reservation to `state` and ends it, also applying `setting` to each product.
    private func settle(orderId: UUID, as state: String, setting: String) async throws {
        let logger = logger
        try await client.withTransaction(logger: logger) { connection in
            let moved = try await connection.tracedQuery(
                """
                UPDATE catalog.order_stock SET state = \(state), updated_at = now()
                WHERE order_id = \(orderId) AND state = 'reserved' RETURNING order_id
                """, logger: logger
            ).collect()
            guard !moved.isEmpty else { return }  // not reserved (rejected, or settled before)
            _ = try await connection.tracedQuery(
                """
                UPDATE catalog.catalog_items AS i SET \(unescaped: setting)reserved_stock = GREATEST(i.reserved_stock - r.units, 0)
                FROM catalog.stock_reservations AS r WHERE r.order_id = \(orderId) AND i.id = r.product_id
                """, logger: logger
            ).collect()
        }
    }
}
