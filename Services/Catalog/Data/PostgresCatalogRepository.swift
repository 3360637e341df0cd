import EventBus
import Foundation
import Logging
import PostgresNIO
import ServiceDefaults
import StateStores

/// The catalog in PostgreSQL's `catalog` schema. Prices cross the wire as text (`numeric` ↔
/// `Decimal`), so no binary floating point ever touches them. Every call answers within
/// `PostgresClient.requestDeadline`: a frozen or unreachable server is a 503, never a hang.
struct PostgresCatalogRepository: CatalogRepository {
    let client: PostgresClient
    let logger: Logger
    /// Called after a write committed (to wake the outbox relay: every write adds a
    /// `CatalogItemCreated`/`Updated`/`Deleted`, a price change also a `ProductPriceChanged`).
    var outboxWritten: @Sendable () -> Void = {}

    /// The item columns in ``CatalogItem``'s order, as ``decodeItem(_:)`` reads them.
    static let itemColumns = """
        i.id, i.name, i.description, i.price::text, i.picture_file_name, i.catalog_type_id, i.catalog_brand_id,
        i.available_stock, i.restock_threshold, i.max_stock_threshold
        """

    func items(pageIndex: Int, pageSize: Int, filter: CatalogItemFilter) async throws -> CatalogItemPage {
        try await client.withinDeadline { client in
            // One round trip in the usual case: each row carries the total (`count(*) OVER ()`).
            let rows = try await client.tracedExecute(
                CatalogPageStatement(filter: filter, limit: pageSize, offset: pageIndex * pageSize), logger: logger)
            var count = 0
            var items: [CatalogItem] = []
            for try await (id, name, description, priceText, picture, type, brand, stock, restock, maxStock, total) in rows {
                items.append(
                    try Self.item(
                        id: id, name: name, description: description, priceText: priceText, picture: picture, type: type, brand: brand,
                        stock: stock, restock: restock, maxStock: maxStock))
                count = total
            }
            if items.isEmpty { count = try await self.count(filter) }
            return CatalogItemPage(count: count, items: items)
        }
    }

    /// The number of items matching `filter` (for pages past the end), within `items`' deadline.
    private func count(_ filter: CatalogItemFilter) async throws -> Int {
        let rows = try await client.tracedQuery(
            """
            SELECT count(*) FROM catalog.catalog_items i
            WHERE (\(filter.brandId)::integer IS NULL OR i.catalog_brand_id = \(filter.brandId))
              AND (\(filter.typeId)::integer IS NULL OR i.catalog_type_id = \(filter.typeId))
              AND (\(filter.namePrefix)::text IS NULL OR starts_with(i.name, \(filter.namePrefix)))
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    func item(id: Int) async throws -> CatalogItem? {
        try await client.withinDeadline { client in
            try await items(client.tracedQuery("SELECT \(unescaped: Self.itemColumns) FROM catalog.catalog_items i WHERE i.id = \(id)", logger: logger)).first
        }
    }

    func items(ids: [Int]) async throws -> [CatalogItem] {
        try await client.withinDeadline { client in
            try await items(
                client.tracedQuery("SELECT \(unescaped: Self.itemColumns) FROM catalog.catalog_items i WHERE i.id = ANY(\(ids)) ORDER BY i.id", logger: logger))
        }
    }

    func items(containing text: String, pageIndex: Int, pageSize: Int) async throws -> CatalogItemPage {
        try await client.withinDeadline { client in
            // strpos, not LIKE: the text is matched as it is, `%` and `_` included.
            let rows = try await client.tracedQuery(
                """
                SELECT \(unescaped: Self.itemColumns), count(*) OVER () FROM catalog.catalog_items i
                WHERE strpos(lower(i.name), lower(\(text))) > 0 OR strpos(lower(i.description), lower(\(text))) > 0
                ORDER BY i.name, i.id LIMIT \(pageSize) OFFSET \(pageIndex * pageSize)
                """, logger: logger)
            var count = 0
            var items: [CatalogItem] = []
            for try await (id, name, description, priceText, picture, type, brand, stock, restock, maxStock, total) in rows.decode(CatalogPageStatement.Row.self) {
                items.append(
                    try Self.item(
                        id: id, name: name, description: description, priceText: priceText, picture: picture, type: type, brand: brand,
                        stock: stock, restock: restock, maxStock: maxStock))
                count = total
            }
            if items.isEmpty && pageIndex > 0 {
                let counted = try await client.tracedQuery(
                    """
                    SELECT count(*) FROM catalog.catalog_items i
                    WHERE strpos(lower(i.name), lower(\(text))) > 0 OR strpos(lower(i.description), lower(\(text))) > 0
                    """, logger: logger)
                for try await total in counted.decode(Int.self) { count = total }
            }
            return CatalogItemPage(count: count, items: items)
        }
    }

    func picture(itemId: Int) async throws -> CatalogPicture? {
        try await client.withinDeadline { client in
            let rows = try await client.tracedQuery(
                """
                SELECT p.content_type, p.content, p.etag FROM catalog.catalog_items i
                JOIN catalog.pictures p ON p.file_name = i.picture_file_name WHERE i.id = \(itemId)
                """, logger: logger)
            for try await (contentType, content, etag) in rows.decode((String, ByteBuffer, String).self) {
                return CatalogPicture(contentType: contentType, content: Array(buffer: content), etag: etag)
            }
            return nil
        }
    }

    func brands() async throws -> [CatalogBrand] {
        try await client.withinDeadline { client in
            var brands: [CatalogBrand] = []
            for try await (id, brand) in try await client.tracedQuery("SELECT id, brand FROM catalog.catalog_brands ORDER BY id", logger: logger)
                .decode((Int, String).self)
            {
                brands.append(CatalogBrand(id: id, brand: brand))
            }
            return brands
        }
    }

    func types() async throws -> [CatalogType] {
        try await client.withinDeadline { client in
            var types: [CatalogType] = []
            for try await (id, type) in try await client.tracedQuery("SELECT id, type FROM catalog.catalog_types ORDER BY id", logger: logger)
                .decode((Int, String).self)
            {
                types.append(CatalogType(id: id, type: type))
            }
            return types
        }
    }

    func create(_ fields: CatalogItemFields) async throws -> CatalogItem {
        try await client.withinDeadline { client in
            let logger = logger
            let created = try await mappingReferenceErrors {
                try await client.withTransaction(logger: logger) { connection in
                    // The picture is named after the item id, which the insert allocates.
                    var id = 0
                    for try await next in try await connection.tracedQuery(
                        "SELECT nextval(pg_get_serial_sequence('catalog.catalog_items', 'id'))::integer", logger: logger
                    ).decode(Int.self) {
                        id = next
                    }
                    let fileName = try await Self.storePicture(itemId: id, fields: fields, on: connection, logger: logger)
                    let rows = try await connection.tracedQuery(
                        """
                        INSERT INTO catalog.catalog_items AS i (id, name, description, price, picture_file_name, catalog_type_id,
                            catalog_brand_id, available_stock, restock_threshold, max_stock_threshold)
                        VALUES (\(id), \(fields.name), \(fields.description), \(fields.price.description)::numeric(10,2), \(fileName),
                            \(fields.catalogTypeId), \(fields.catalogBrandId), \(fields.availableStock), \(fields.restockThreshold),
                            \(fields.maxStockThreshold))
                        RETURNING \(unescaped: Self.itemColumns)
                        """, logger: logger)
                    guard let item = try await Self.items(rows).first else { throw CatalogStoreError(problem: "the insert returned no row") }
                    try await CatalogOutbox.insert(
                        CatalogItemCreated(
                            productId: item.id, name: item.name, description: item.description, price: item.price, catalogTypeId: item.catalogTypeId,
                            catalogBrandId: item.catalogBrandId), on: connection, logger: logger)
                    return item
                }
            }
            outboxWritten()
            return created
        }
    }

    func update(id: Int, _ fields: CatalogItemFields) async throws -> CatalogItem? {
        try await client.withinDeadline { client in
            let logger = logger
            let updated = try await mappingReferenceErrors {
                try await client.withTransaction(logger: logger) { connection -> CatalogItem? in
                    let oldPrice = try await Self.price(of: id, lockingOn: connection, logger: logger)
                    let rows = try await connection.tracedQuery(
                        """
                        UPDATE catalog.catalog_items AS i SET name = \(fields.name), description = \(fields.description),
                            price = \(fields.price.description)::numeric(10,2), catalog_type_id = \(fields.catalogTypeId),
                            catalog_brand_id = \(fields.catalogBrandId), available_stock = \(fields.availableStock),
                            restock_threshold = \(fields.restockThreshold), max_stock_threshold = \(fields.maxStockThreshold)
                        WHERE i.id = \(id)
                        RETURNING \(unescaped: Self.itemColumns)
                        """, logger: logger)
                    guard let item = try await Self.items(rows).first else { return nil }
                    _ = try await Self.storePicture(itemId: id, fields: fields, on: connection, logger: logger)
                    if let oldPrice, oldPrice != item.price {
                        try await CatalogOutbox.insert(ProductPriceChanged(productId: id, newPrice: item.price, oldPrice: oldPrice), on: connection, logger: logger)
                    }
                    try await CatalogOutbox.insert(
                        CatalogItemUpdated(
                            productId: id, name: item.name, description: item.description, price: item.price, catalogTypeId: item.catalogTypeId,
                            catalogBrandId: item.catalogBrandId), on: connection, logger: logger)
                    return item
                }
            }
            if updated != nil { outboxWritten() }
            return updated
        }
    }

    func delete(id: Int) async throws -> Bool {
        try await client.withinDeadline { client in
            let logger = logger
            let deleted = try await client.withTransaction(logger: logger) { connection -> Bool in
                // The item and, unless another item shows it too, its picture, in one statement.
                let rows = try await connection.tracedQuery(
                    """
                    WITH deleted AS (DELETE FROM catalog.catalog_items WHERE id = \(id) RETURNING picture_file_name),
                    unused AS (
                        DELETE FROM catalog.pictures p USING deleted d WHERE p.file_name = d.picture_file_name
                        AND NOT EXISTS (SELECT 1 FROM catalog.catalog_items i WHERE i.picture_file_name = p.file_name AND i.id <> \(id)))
                    SELECT count(*) FROM deleted
                    """, logger: logger)
                var count = 0
                for try await deleted in rows.decode(Int.self) { count = deleted }
                guard count > 0 else { return false }
                try await CatalogOutbox.insert(CatalogItemDeleted(productId: id), on: connection, logger: logger)
                return true
            }
            if deleted { outboxWritten() }
            return deleted
        }
    }

    /// Draws and stores (or redraws) the picture of item `itemId`; returns its file name.
    private static func storePicture(itemId: Int, fields: CatalogItemFields, on connection: PostgresConnection, logger: Logger) async throws -> String {
        let fileName = CatalogPictureArt.fileName(itemId: itemId)
        var typeName = ""
        for try await name in try await connection.tracedQuery("SELECT type FROM catalog.catalog_types WHERE id = \(fields.catalogTypeId)", logger: logger)
            .decode(String.self)
        {
            typeName = name
        }
        let picture = CatalogPictureArt.picture(name: fields.name, typeName: typeName)
        try await connection.tracedQuery(
            """
            INSERT INTO catalog.pictures (file_name, content_type, content, etag)
            VALUES (\(fileName), \(picture.contentType), \(ByteBuffer(bytes: picture.content)), \(picture.etag))
            ON CONFLICT (file_name) DO UPDATE SET content_type = excluded.content_type, content = excluded.content, etag = excluded.etag
            """, logger: logger)
        return fileName
    }

    private func items(_ rows: PostgresRowSequence) async throws -> [CatalogItem] {
        try await Self.items(rows)
    }

    private static func items(_ rows: PostgresRowSequence) async throws -> [CatalogItem] {
        var items: [CatalogItem] = []
        for try await row in rows { items.append(try decodeItem(row)) }
        return items
    }

    /// An item from the first ten columns of `row` (``itemColumns``).
    static func decodeItem(_ row: PostgresRow) throws -> CatalogItem {
        let (id, name, description, priceText, picture, type, brand, stock, restock, maxStock) =
            try row.decode((Int, String, String, String, String, Int, Int, Int, Int, Int).self)
        return try item(
            id: id, name: name, description: description, priceText: priceText, picture: picture, type: type, brand: brand,
            stock: stock, restock: restock, maxStock: maxStock)
    }

    /// An item from its column values; the price is parsed exactly from PostgreSQL's text.
    private static func item(
        id: Int, name: String, description: String, priceText: String, picture: String, type: Int, brand: Int, stock: Int,
        restock: Int, maxStock: Int
    ) throws -> CatalogItem {
        guard let price = Decimal(string: priceText, locale: posixLocale) else {
            throw CatalogStoreError(problem: "item \(id) has an unreadable price '\(priceText)'")
        }
        return CatalogItem(
            id: id, name: name, description: description, price: price, pictureFileName: picture, catalogTypeId: type,
            catalogBrandId: brand, availableStock: stock, restockThreshold: restock, maxStockThreshold: maxStock)
    }

    /// A foreign key violation names the brand or type field it concerns.
    private func mappingReferenceErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            let cause = (error as? PostgresTransactionError)?.closureError ?? error
            guard let psql = cause as? PSQLError, psql.serverInfo?[.sqlState] == "23503" else { throw error }
            let constraint = psql.serverInfo?[.constraintName] ?? ""
            throw CatalogReferenceError(field: constraint.contains("brand") ? "catalogBrandId" : "catalogTypeId")
        }
    }
}

/// PostgreSQL writes numbers with a `.` whatever the process' locale.
private let posixLocale = Locale(identifier: "en_US_POSIX")

/// The database answered something the repository cannot use (a bug, logged by ProblemMiddleware).
struct CatalogStoreError: Error, Sendable, CustomStringConvertible {
    var problem: String
    var description: String { "catalog store: \(problem)" }
}
