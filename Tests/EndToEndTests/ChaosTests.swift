import Foundation
import PostgresNIO
import RedisClient
import StateClient
import Synchronization
import TestSupport
import Testing

/// Ordering, Catalog and Payment are SIGKILLed and restarted at random moments (at least three
/// times) while 100 checkouts go through. Afterwards every checkout has ended in exactly one order in a final
/// state, and no effect is lost or doubled: stock, payments, events.
@Suite(.serialized, .redisReachable, .postgresReachable, .timeLimit(.minutes(5))) struct ChaosTests {
    @Test func everyCheckoutEndsInOneFinalOrderDespiteKilledServices() async throws {
        try await EndToEndSystem.with { system in
            let admin = try await system.token("admin")
            let stock = 1_000
            try await system.updateItem(8, ["availableStock": .number(JSONNumber(stock))], adminToken: admin)
            let buyers = try await system.addBuyers(10)
            let killed = KillCount()
            let chaos = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 300...1_000)))
                    guard !Task.isCancelled else { break }
                    let victim = [system.ordering, system.catalog, system.payment].randomElement()!
                    try await victim.killAndRestart()
                    killed.add()
                }
            }
            let orders: [(String, String)]
            do {
                orders = try await CheckoutLoad.run(system, buyers: buyers, checkoutsEach: 10, productId: 8)
                // The orders go on through Catalog and Payment after their checkouts are accepted,
                // which can take less time than three kills: the kills go on until there were three.
                try await waitUntil("three services killed and restarted", within: .seconds(30)) { killed.count >= 3 }
            } catch {
                chaos.cancel()
                throw error
            }
            chaos.cancel()
            try await chaos.value
            let kills = killed.count
            print("chaos: \(kills) services killed and restarted during 100 checkouts")
            #expect(Set(orders.map(\.0)).count == 100)

            // every checkout ends in one order, paid (stock was plenty and payments succeed)
            for (orderId, token) in orders {
                let order = try await system.waitForOrder(orderId, token: token, in: ["paid", "cancelled"], within: .seconds(90))
                #expect(order.value(at: "status") == .string("paid"), "\(orderId): \(order)")
                guard case .array(let history)? = order.value(at: "statusHistory") else { continue }
                let statuses = history.compactMap { $0.value(at: "status") }
                #expect(statuses.count == Set(statuses).count, "a status twice in \(orderId): \(statuses)")
            }
            // stock taken exactly once per paid order
            try await TestRedis.eventually(within: .seconds(30)) {
                let available = try await system.availableStock(8)
                let reserved = try await system.reservedStock(8)
                guard available == stock - 100, reserved == 0 else { throw EndToEndError("stock \(available), reserved \(reserved)") }
            }
            // one payment per order, one stock decision per order
            #expect(try await paymentRecords(system) == 100)
            #expect(try await stockDecisions(system) == ["decremented": 100])
            // one OrderStatusChangedToPaid per order: a relay killed between publish and delete
            // republishes the same event (same id, deduplicated), never a second one
            let paidEvents = try await eventIds(system, topic: "OrderStatusChangedToPaid")
            #expect(paidEvents.count == 100)
            #expect(Set(paidEvents.values) == Set(orders.map(\.0)))
        }
    }

    /// The number of `payment-api||payment:*` records in Redis.
    func paymentRecords(_ system: EndToEndSystem) async throws -> Int {
        try await TestRedis.withClient(system.redis) { client in
            guard case .array(let keys) = try await client.send(RedisCommand("KEYS", "payment-api||payment:*")) else { return -1 }
            return keys.count
        }
    }

    /// How many orders the catalog's `order_stock` has in each state.
    func stockDecisions(_ system: EndToEndSystem) async throws -> [String: Int] {
        try await TestPostgres.withClient(system.database) { client in
            var counts: [String: Int] = [:]
            for try await (state, count) in try await client.query(
                "SELECT state, count(*)::integer FROM catalog.order_stock GROUP BY state", logger: TestPostgres.logger
            ).decode((String, Int).self) {
                counts[state] = count
            }
            return counts
        }
    }

    /// Every entry of a topic's stream: the event id → the order id in its data.
    func eventIds(_ system: EndToEndSystem, topic: String) async throws -> [String: String] {
        try await TestRedis.withClient(system.redis) { client in
            guard case .array(let entries) = try await client.send(RedisCommand("XRANGE", topic, "-", "+")) else { return [:] }
            var ids: [String: String] = [:]
            for entry in entries {
                guard case .array(let parts) = entry, parts.count == 2, case .array(let fields) = parts[1], fields.count == 2,
                    case .bulkString(let bytes) = fields[1], let json = JSONValue(json: bytes),
                    case .string(let id)? = json.value(at: "id"), case .string(let orderId)? = json.value(at: "data.orderId")
                else { continue }
                ids[id] = orderId
            }
            return ids
        }
    }
}

/// How many services the chaos task has killed so far.
private final class KillCount: Sendable {
    private let value = Mutex(0)
    var count: Int { value.withLock { $0 } }
    func add() { value.withLock { $0 += 1 } }
}
