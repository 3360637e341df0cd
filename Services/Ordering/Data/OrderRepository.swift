import EventBus
import Foundation
import StateClient

/// Orders in the order store through the state client: one item per order (`<orderId>`, which
/// the client prefixes with the app id), and every change written together with its outgoing event
/// in one state transaction (``StateOutbox``), compare-and-set on the order's ETag.
struct OrderRepository: Sendable {
    let outbox: StateOutbox
    var state: StateClient { outbox.state }

    /// An order as read, with the ETag a change must match.
    struct Entry: Sendable {
        var order: Order
        var etag: String
    }

    /// The order, or `nil` when there is none.
    func entry(_ orderId: String) async throws -> Entry? {
        guard let item = try await state.get(orderId) else { return nil }
        return Entry(order: try Self.decode(item.value, key: orderId), etag: item.etag)
    }

    /// Stores a new order with its `submitted` event; `false` (and nothing written) when an order
    /// with that id already exists.
    func create(_ order: Order, publishing event: any IntegrationEvent) async throws -> Bool {
        do {
            try await outbox.transaction(
                [.upsert(key: order.orderId, bytes: try Self.encode(order), options: SaveOptions(concurrency: .firstWrite))], publishing: [event])
            return true
        } catch let error as StateError where error.code == .etagMismatch {
            return false
        }
    }

    /// Replaces the order read as `entry` with `order` and stores `event` in the outbox, only if
    /// the order is still at that ETag (``StateError/Code/etagMismatch`` otherwise).
    func replace(_ entry: Entry, with order: Order, publishing event: any IntegrationEvent) async throws {
        try await outbox.transaction(
            [.upsert(key: order.orderId, bytes: try Self.encode(order), options: SaveOptions(etag: entry.etag))], publishing: [event])
    }

    /// One page of the orders matching `filter`, newest first; `token` continues a previous page.
    func page(where filter: QueryFilter, pageSize: Int, token: String?) async throws -> (orders: [Order], token: String?) {
        let result = try await state.query(
            StateQuery(filter: filter, sort: [QuerySort("createdAt", descending: true), QuerySort("orderId")], limit: pageSize, token: token))
        let orders = try result.items.map { try Self.decode($0.value, key: $0.key) }
        return (orders, orders.count < pageSize ? nil : result.token)
    }

    /// Orders still `submitted` whose grace period ended by `now`, the earliest first.
    func dueForStockValidation(at now: Date, limit: Int) async throws -> [Order] {
        let result = try await state.query(
            StateQuery(
                filter: .and([.eq("status", .string(OrderStatus.submitted.rawValue)), .lte("gracePeriodEndsAt", .string(EventJSON.format(now)))]),
                sort: [QuerySort("gracePeriodEndsAt")], limit: limit))
        return try result.items.map { try Self.decode($0.value, key: $0.key) }
    }

    static func encode(_ order: Order) throws -> [UInt8] {
        Array(try EventJSON.encoder().encode(order))
    }

    static func decode(_ bytes: [UInt8], key: String) throws -> Order {
        do {
            return try EventJSON.decoder().decode(Order.self, from: Data(bytes))
        } catch {
            throw StateError(.storeFailure, "the value at \(key) is not an order: \(error)")
        }
    }
}
