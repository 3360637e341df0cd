import EventBus
import Foundation
import PostgresNIO
import TestSupport
import Testing

@testable import Catalog

/// The catalog's part of the order process against a real PostgreSQL: reservations, decrements
/// and releases happen once per order, and two orders never share the last units.
@Suite(.postgresReachable, .timeLimit(.minutes(1))) struct CatalogStockTests {
    /// `[available_stock, reserved_stock]` of the item.
    func stock(_ fixture: CatalogFixture, _ id: Int) async throws -> [Int] {
        for try await (available, reserved) in try await fixture.client.query(
            "SELECT available_stock, reserved_stock FROM catalog.catalog_items WHERE id = \(id)", logger: TestPostgres.logger
        ).decode((Int, Int).self) {
            return [available, reserved]
        }
        throw CatalogStoreError(problem: "no item \(id)")
    }

    func setStock(_ fixture: CatalogFixture, _ id: Int, _ units: Int) async throws {
        _ = try await fixture.client.query("UPDATE catalog.catalog_items SET available_stock = \(units) WHERE id = \(id)", logger: TestPostgres.logger)
            .collect()
    }

    /// The events waiting in `catalog.outbox`, oldest first.
    func outbox(_ fixture: CatalogFixture) async throws -> [EventEnvelope] {
        try await CatalogOutbox(client: fixture.client, logger: TestPostgres.logger).pending(limit: 1_000).map(\.envelope)
    }

    @Test func aRedeliveredValidationOrPaymentTakesStockOnce() async throws {
        try await CatalogFixture.with { fixture in
            try await setStock(fixture, 1, 10)
            let stock = CatalogStock(client: fixture.client, logger: TestPostgres.logger)
            let orderId = UUID()
            for _ in 0..<3 { try await stock.validate(orderId: orderId, items: [.init(productId: 1, units: 3)]) }
            #expect(try await self.stock(fixture, 1) == [10, 3])
            for _ in 0..<3 { try await stock.decrement(orderId: orderId) }
            #expect(try await self.stock(fixture, 1) == [7, 0])
            try await stock.release(orderId: orderId)  // a late cancellation changes nothing once paid
            #expect(try await self.stock(fixture, 1) == [7, 0])
            #expect(try await outbox(fixture).map(\.topic) == ["OrderStockConfirmed"])
        }
    }

    @Test func concurrentOrdersNeverShareTheLastUnits() async throws {
        try await CatalogFixture.with { fixture in
            try await setStock(fixture, 2, 5)
            let stock = CatalogStock(client: fixture.client, logger: TestPostgres.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await stock.validate(orderId: UUID(), items: [.init(productId: 2, units: 1)]) }
                }
                try await group.waitForAll()
            }
            #expect(try await self.stock(fixture, 2) == [5, 5])
            let topics = try await outbox(fixture).map(\.topic)
            #expect(topics.filter { $0 == "OrderStockConfirmed" }.count == 5)
            #expect(topics.filter { $0 == "OrderStockRejected" }.count == 15)
        }
    }

    @Test func aRejectionListsEachProductAndReservesNothing() async throws {
        try await CatalogFixture.with { fixture in
            try await setStock(fixture, 3, 1)
            try await setStock(fixture, 4, 9)
            let stock = CatalogStock(client: fixture.client, logger: TestPostgres.logger)
            let orderId = UUID()
            try await stock.validate(orderId: orderId, items: [.init(productId: 3, units: 2), .init(productId: 4, units: 1)])
            #expect(try await self.stock(fixture, 3) == [1, 0])
            #expect(try await self.stock(fixture, 4) == [9, 0])
            let rejected = try #require(try await outbox(fixture).first).event(as: OrderStockRejected.self)
            #expect(rejected.orderId == orderId)
            #expect(rejected.orderStockItems == [.init(productId: 3, hasStock: false), .init(productId: 4, hasStock: true)])
            try await stock.decrement(orderId: orderId)  // never reserved: nothing to take
            #expect(try await self.stock(fixture, 3) == [1, 0])
        }
    }

    @Test func aCancellationReleasesTheReservationOnce() async throws {
        try await CatalogFixture.with { fixture in
            try await setStock(fixture, 5, 4)
            let stock = CatalogStock(client: fixture.client, logger: TestPostgres.logger)
            let orderId = UUID()
            try await stock.validate(orderId: orderId, items: [.init(productId: 5, units: 4)])
            #expect(try await self.stock(fixture, 5) == [4, 4])
            try await stock.release(orderId: orderId)
            try await stock.release(orderId: orderId)
            try await stock.decrement(orderId: orderId)
            #expect(try await self.stock(fixture, 5) == [4, 0])
        }
    }

    /// The price update and its event commit together; an update that keeps the price publishes no price change.
    @Test func aPriceChangeWritesItsEventInTheSameTransaction() async throws {
        try await CatalogFixture.with { fixture in
            let repository = fixture.repository
            let item = try #require(try await repository.item(id: 6))
            var fields = CatalogItemFields(
                name: item.name, description: item.description, price: item.price, catalogTypeId: item.catalogTypeId,
                catalogBrandId: item.catalogBrandId, availableStock: item.availableStock, restockThreshold: item.restockThreshold,
                maxStockThreshold: item.maxStockThreshold)
            _ = try await repository.update(id: 6, fields)
            #expect(try await outbox(fixture).map(\.topic) == ["CatalogItemUpdated"])
            fields.price = item.price + 1
            _ = try await repository.update(id: 6, fields)
            let changed = try #require(try await outbox(fixture).first { $0.topic == "ProductPriceChanged" }).event(as: ProductPriceChanged.self)
            #expect(changed.productId == 6)
            #expect(changed.oldPrice == item.price)
            #expect(changed.newPrice == item.price + 1)
        }
    }
}
