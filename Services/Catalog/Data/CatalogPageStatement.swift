import PostgresNIO

/// The listing query as a prepared statement: the hot read path, so PostgreSQL parses and plans
/// it once per connection instead of once per request.
struct CatalogPageStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT \(PostgresCatalogRepository.itemColumns), count(*) OVER ()
        FROM catalog.catalog_items i
        WHERE ($1::integer IS NULL OR i.catalog_brand_id = $1::integer)
          AND ($2::integer IS NULL OR i.catalog_type_id = $2::integer)
          AND ($3::text IS NULL OR starts_with(i.name, $3::text))
        ORDER BY i.name, i.id LIMIT $4 OFFSET $5
        """

    /// The types of the bindings, declared when the statement is prepared: left to the server,
    /// `$1::integer` would make `$1` an int4, and Swift's `Int` binds as an int8.
    static let bindingDataTypes: [PostgresDataType] = [.int8, .int8, .text, .int8, .int8]

    /// An item's columns (``PostgresCatalogRepository/itemColumns``) and the total count.
    typealias Row = (Int, String, String, String, String, Int, Int, Int, Int, Int, Int)

    var filter: CatalogItemFilter
    var limit: Int
    var offset: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(filter.brandId)
        bindings.append(filter.typeId)
        bindings.append(filter.namePrefix)
        bindings.append(limit)
        bindings.append(offset)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
