import Foundation
import PostgresNIO
import TestSupport
import Testing

@testable import Catalog

/// Migrations and seeding against real PostgreSQL.
@Suite(.postgresReachable, .timeLimit(.minutes(1))) struct CatalogStoreTests {
    private func count(_ sql: PostgresQuery, _ client: PostgresClient) async throws -> Int {
        for try await value in try await client.query(sql).decode(Int.self) { return value }
        return -1
    }

    @Test func migrationsRunConcurrentlyAndTwiceSeedingOnce() async throws {
        try await TestPostgres.withDatabase(prefix: "catalog") { configuration throws in
            try await TestPostgres.withClient(configuration) { client throws in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 { group.addTask { try await migrateCatalog(client: client, seed: true, logger: TestPostgres.logger) } }
                    try await group.waitForAll()
                }
                try await migrateCatalog(client: client, seed: true, logger: TestPostgres.logger)
                #expect(try await count("SELECT count(*)::bigint FROM catalog.catalog_items", client) == CatalogSeed.items.count)
                #expect(try await count("SELECT count(*)::bigint FROM catalog.catalog_brands", client) == CatalogSeed.brands.count)
                #expect(try await count("SELECT count(*)::bigint FROM catalog.pictures", client) == CatalogSeed.items.count)
                #expect(try await count("SELECT count(*)::bigint FROM catalog.schema_migrations", client) == CatalogMigrations.all.count)
            }
        }
    }

    @Test func seedsOnlyAnEmptyCatalog() async throws {
        try await CatalogFixture.with { fixture throws in
            let item = try await fixture.repository.create(
                CatalogItemFields(
                    name: "Extra", description: "", price: 1, catalogTypeId: 1, catalogBrandId: 1, availableStock: 1, restockThreshold: 0,
                    maxStockThreshold: 5))
            #expect(item.id == CatalogSeed.items.count + 1)
            try await migrateCatalog(client: fixture.client, seed: true, logger: TestPostgres.logger)
            #expect(try await fixture.count("SELECT count(*)::bigint FROM catalog.catalog_items") == CatalogSeed.items.count + 1)
        }
    }

    @Test func seedingCanBeTurnedOff() async throws {
        try await CatalogFixture.with(seed: false) { fixture throws in
            #expect(try await fixture.count("SELECT count(*)::bigint FROM catalog.catalog_items") == 0)
            #expect(try await fixture.count("SELECT count(*)::bigint FROM catalog.catalog_brands") == 0)
        }
    }

    @Test func theSchemaRefusesNegativeStockAndLongNames() async throws {
        try await CatalogFixture.with { fixture throws in
            await #expect(throws: PSQLError.self) {
                try await fixture.client.query("UPDATE catalog.catalog_items SET available_stock = -1 WHERE id = 1")
            }
            await #expect(throws: PSQLError.self) {
                try await fixture.client.query("UPDATE catalog.catalog_items SET name = \(String(repeating: "x", count: 51)) WHERE id = 1")
            }
        }
    }
}
