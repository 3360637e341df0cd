import Foundation
import Logging
import PostgresNIO
import StateStores

/// The sample catalog: 6 brands, 6 types and 36 items invented for this sample, each with a
/// generated picture. Written only into an empty catalog.
enum CatalogSeed {
    static let brands = ["Northwind Outfitters", "Alpine Loop", "Harbor & Pine", "Quill Labs", "Swiftwater", "Fieldnote Co."]
    static let types = ["T-Shirt", "Mug", "Backpack", "Notebook", "Water Bottle", "Cap"]

    /// Name, description, price (text, exact), type index, brand index, stock.
    static let items: [(String, String, String, Int, Int, Int)] = [
        ("Trailhead Tee", "Soft organic cotton tee with a mountain outline.", "19.99", 0, 1, 120),
        ("Harbor Stripe Tee", "Breton stripes in navy and cream.", "24.50", 0, 2, 80),
        ("Swift Bird Tee", "Lightweight tee with a bird in flight.", "21.00", 0, 4, 150),
        ("Northwind Logo Tee", "Classic crew neck with a small chest logo.", "17.95", 0, 0, 200),
        ("Fieldnote Pocket Tee", "Heavyweight tee with a chest pocket.", "26.00", 0, 5, 60),
        ("Quill Lambda Tee", "For people who think in functions.", "22.10", 0, 3, 90),
        ("Summit Mug", "Stoneware mug, 350 ml, dishwasher safe.", "12.99", 1, 1, 75),
        ("Harbor Enamel Mug", "Camp-style enamel mug with a blue rim.", "14.00", 1, 2, 40),
        ("Quill Coffee Mug", "Matte black mug for long debugging sessions.", "11.49", 1, 3, 110),
        ("Northwind Travel Mug", "Insulated travel mug with a leak-proof lid.", "23.75", 1, 0, 55),
        ("Swiftwater Espresso Cup", "Small double-walled glass cup.", "9.90", 1, 4, 95),
        ("Fieldnote Tea Mug", "Wide mug with a built-in infuser.", "16.30", 1, 5, 35),
        ("Ridge Daypack", "20 l daypack with a padded laptop sleeve.", "59.00", 2, 1, 25),
        ("Harbor Canvas Backpack", "Waxed canvas with leather straps.", "89.95", 2, 2, 15),
        ("Quill Commuter Pack", "Water-resistant pack with a hidden pocket.", "74.20", 2, 3, 30),
        ("Northwind Rolltop", "Roll-top backpack that grows to 30 l.", "99.00", 2, 0, 12),
        ("Swiftwater Sling", "Compact sling for the essentials.", "34.99", 2, 4, 45),
        ("Fieldnote Rucksack", "Old-school rucksack in olive cotton.", "64.50", 2, 5, 20),
        ("Dot Grid Notebook", "A5, 160 pages of dotted paper.", "8.95", 3, 3, 300),
        ("Harbor Sketchbook", "Heavy paper for ink and watercolour.", "15.40", 3, 2, 70),
        ("Fieldnote Pocket Trio", "Three pocket notebooks, ruled.", "10.00", 3, 5, 250),
        ("Northwind Journal", "Hardcover journal with a ribbon marker.", "18.60", 3, 0, 85),
        ("Alpine Route Log", "Weatherproof notebook for trail notes.", "13.25", 3, 1, 65),
        ("Swiftwater Planner", "Undated weekly planner.", "16.99", 3, 4, 50),
        ("Glacier Bottle", "750 ml insulated steel bottle.", "29.99", 4, 1, 90),
        ("Harbor Glass Bottle", "Glass bottle in a silicone sleeve.", "21.45", 4, 2, 60),
        ("Quill Sip Bottle", "Leak-proof bottle with a flip straw.", "18.00", 4, 3, 100),
        ("Northwind Flask", "Slim 500 ml flask for the office.", "24.90", 4, 0, 70),
        ("Swiftwater Sport Bottle", "Squeezable 600 ml bottle for runs.", "7.99", 4, 4, 220),
        ("Fieldnote Canteen", "Retro canteen with a cotton strap.", "27.35", 4, 5, 40),
        ("Alpine Beanie Cap", "Merino cap for cold mornings.", "22.00", 5, 1, 80),
        ("Harbor Sailor Cap", "Cotton twill cap with a short brim.", "19.80", 5, 2, 65),
        ("Quill Dad Cap", "Unstructured cap with an embroidered quill.", "17.50", 5, 3, 95),
        ("Northwind Trucker Cap", "Mesh-back trucker cap.", "15.95", 5, 0, 110),
        ("Swiftwater Run Cap", "Featherweight cap that dries fast.", "24.25", 5, 4, 75),
        ("Fieldnote Wool Cap", "Six-panel wool cap.", "28.40", 5, 5, 30),
    ]

    /// Seeds brands, types, items and pictures when the catalog has no items, brands or types;
    /// run inside the migration transaction, so concurrent replicas seed once.
    static func seedIfEmpty(on connection: PostgresConnection, logger: Logger) async throws {
        let counts = try await connection.tracedQuery(
            """
            SELECT (SELECT count(*) FROM catalog.catalog_items) + (SELECT count(*) FROM catalog.catalog_brands)
                 + (SELECT count(*) FROM catalog.catalog_types)
            """, logger: logger)
        for try await existing in counts.decode(Int.self) where existing > 0 { return }
        for (index, brand) in brands.enumerated() {
            try await connection.tracedQuery("INSERT INTO catalog.catalog_brands (id, brand) VALUES (\(index + 1), \(brand))", logger: logger)
        }
        for (index, type) in types.enumerated() {
            try await connection.tracedQuery("INSERT INTO catalog.catalog_types (id, type) VALUES (\(index + 1), \(type))", logger: logger)
        }
        for (offset, item) in items.enumerated() {
            let (name, description, price, typeIndex, brandIndex, stock) = item
            let id = offset + 1
            let picture = CatalogPictureArt.picture(name: name, typeName: types[typeIndex])
            let fileName = CatalogPictureArt.fileName(itemId: id)
            try await connection.tracedQuery(
                """
                INSERT INTO catalog.pictures (file_name, content_type, content, etag)
                VALUES (\(fileName), \(picture.contentType), \(ByteBuffer(bytes: picture.content)), \(picture.etag))
                """, logger: logger)
            try await connection.tracedQuery(
                """
                INSERT INTO catalog.catalog_items (id, name, description, price, picture_file_name, catalog_type_id,
                    catalog_brand_id, available_stock, restock_threshold, max_stock_threshold)
                VALUES (\(id), \(name), \(description), \(price)::numeric(10,2), \(fileName), \(typeIndex + 1), \(brandIndex + 1),
                    \(stock), \(stock / 5), \(stock * 2))
                """, logger: logger)
        }
        for table in ["catalog_brands", "catalog_types", "catalog_items"] {
            try await connection.tracedQuery(
                "SELECT setval(pg_get_serial_sequence('catalog.\(unescaped: table)', 'id'), (SELECT max(id) FROM catalog.\(unescaped: table)))",
                logger: logger)
        }
        logger.info("seeded the catalog", metadata: ["brands": "\(brands.count)", "types": "\(types.count)", "items": "\(items.count)"])
    }
}
