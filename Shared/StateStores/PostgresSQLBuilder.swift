import PostgresNIO

/// Composes a dynamic statement (the query API's `WHERE` and `ORDER BY`) from SQL text and bind
/// parameters: values only ever become `$n` parameters, never SQL text.
struct PostgresSQLBuilder {
    private(set) var sql = ""
    private var bindings = PostgresBindings()
    /// The expression of each field path already used, so a path's parameters are bound once.
    private var paths: [String: String] = [:]

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }

    /// Appends SQL text (keywords, operators, validated identifiers: never a value).
    mutating func append(_ text: String) {
        sql += text
    }

    /// Binds `value` and returns its placeholder (`$3`).
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }

    /// The `jsonb` at a dotted path of `value` (`address.city` → `(value -> $1::text -> $2::text)`),
    /// SQL `NULL` when absent. Each component is a text key, so like ``JSONValue/value(at:)`` the
    /// path only descends into objects (`#>` would also index arrays with `0`, `1`, …).
    mutating func path(_ path: String) -> String {
        if let expression = paths[path] { return expression }
        var expression = "(value"
        for component in path.split(separator: ".", omittingEmptySubsequences: false) {
            expression += " -> \(bind(String(component)))::text"
        }
        expression += ")"
        paths[path] = expression
        return expression
    }
}
