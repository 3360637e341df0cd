import Foundation
import Logging
import PostgresNIO
import StateStores

extension PostgresCatalogRepository {
    /// The item's price, its row locked until the transaction ends (so the price change event
    /// names the price it replaced); `nil` when there is no such item.
    static func price(of id: Int, lockingOn connection: PostgresConnection, logger: Logger) async throws -> Decimal? {
        for try await text in try await connection.tracedQuery(
            "SELECT price::text FROM catalog.catalog_items WHERE id = \(id) FOR UPDATE", logger: logger
        ).decode(String.self) {
            return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        }
        return nil
    }
}
