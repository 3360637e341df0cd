import Foundation
import PostgresNIO
import StateClient

extension PostgresStateStore {
    /// Runs `query` over the non-binary, unexpired items whose stored key starts with `keyPrefix`,
    /// translated to one SQL statement with the semantics of ``QueryFilter/matches(_:)`` and
    /// ``StateQuery/evaluate(_:)`` (the in-memory reference):
    ///
    /// - a field `a.b` is `(value -> 'a' -> 'b')`, absent (SQL `NULL`) unless every step is an
    ///   object key; every comparison with an absent field is false;
    /// - `EQ`, `NEQ`, `IN`: `jsonb` equality (numbers numerically, `1.0` = `1`; strings exactly);
    /// - `GT`, `GTE`, `LT`, `LTE`: a number operand matches number fields, compared as `numeric`
    ///   (`9 < 10`, `0.1 + 0.2` exact); a string operand matches string fields, compared under
    ///   `COLLATE "C"` (code points); other operands match nothing;
    /// - sort: for each key, fields present first (in both directions), then by `jsonb` type rank
    ///   (null < string < number < boolean < array < object), then within the type by `numeric`
    ///   value, `COLLATE "C"` text or boolean (arrays and objects tie), then `key COLLATE "C"`;
    /// - page: `LIMIT limit + 1` (to learn whether more follow) `OFFSET token`; the next token is
    ///   `offset + returned` only when more follow.
    public func query(_ query: StateQuery, keyPrefix: String) async throws -> StateQueryResult {
        let table = try tables.state
        let offset = try query.offset()
        if let limit = query.limit, limit < 0 { throw StateError(.invalidRequest, "page limit must not be negative") }
        if query.filter?.containsNUL == true || query.sort.contains(where: { $0.path.unicodeScalars.contains("\u{0}") }) {
            throw StateError(.invalidRequest, "query operands cannot contain the character U+0000 on PostgreSQL")
        }
        if Self.containsNUL(keyPrefix) { return StateQueryResult(items: [], token: nil) }
        let fetch = query.limit.map { $0 == Int.max ? $0 : $0 + 1 }

        var sql = PostgresSQLBuilder()
        let pattern = sql.bind(Self.likePrefixPattern(keyPrefix))
        sql.append(
            """
            SELECT key, value::text, xmin::text FROM \(table.sql)
            WHERE key LIKE \(pattern) AND NOT isbinary AND (expiredate IS NULL OR expiredate > now())
            """)
        if let filter = query.filter {
            let condition = sql.condition(filter)
            sql.append(" AND \(condition)")
        }
        var order: [String] = []
        for key in query.sort { order += sql.ordering(key) }
        order.append("key COLLATE \"C\"")
        sql.append(" ORDER BY \(order.joined(separator: ", "))")
        if let fetch {
            let limit = sql.bind(fetch)
            sql.append(" LIMIT \(limit)")
        }
        let skip = sql.bind(offset)
        sql.append(" OFFSET \(skip)")

        let statement = sql.query
        return try await mappingErrors("query") {
            let rows = try await client.tracedQuery(statement, logger: logger).collect()
            var items: [StateQueryResult.Item] = []
            for row in rows.prefix(query.limit ?? Int.max) {
                let (key, value, etag) = try row.decode((String, String, String).self)
                items.append(StateQueryResult.Item(key: key, value: Array(value.utf8), etag: etag))
            }
            let more = query.limit.map { rows.count > $0 } ?? false
            return StateQueryResult(items: items, token: more ? String(offset + items.count) : nil)
        }
    }
}

extension QueryFilter {
    /// Whether an operand holds U+0000, which PostgreSQL text and `jsonb` cannot represent.
    fileprivate var containsNUL: Bool {
        switch self {
        case .eq(let path, let operand), .neq(let path, let operand), .gt(let path, let operand), .gte(let path, let operand),
            .lt(let path, let operand), .lte(let path, let operand):
            path.unicodeScalars.contains("\u{0}") || operand.containsNUL
        case .in(let path, let operands): path.unicodeScalars.contains("\u{0}") || operands.contains { $0.containsNUL }
        case .and(let filters), .or(let filters): filters.contains { $0.containsNUL }
        }
    }
}

extension JSONValue {
    fileprivate var containsNUL: Bool {
        switch self {
        case .null, .bool, .number: false
        case .string(let string): string.unicodeScalars.contains("\u{0}")
        case .array(let values): values.contains { $0.containsNUL }
        case .object(let fields): fields.contains { $0.key.string.unicodeScalars.contains("\u{0}") || $0.value.containsNUL }
        }
    }
}

extension PostgresSQLBuilder {
    /// The SQL condition of a filter (never `NULL`).
    mutating func condition(_ filter: QueryFilter) -> String {
        switch filter {
        case .eq(let path, let operand):
            let field = self.path(path)
            return "COALESCE(\(field) = \(bind(operand.jsonText))::jsonb, false)"
        case .neq(let path, let operand):
            let field = self.path(path)
            return "COALESCE(\(field) <> \(bind(operand.jsonText))::jsonb, false)"
        case .in(let path, let operands):
            let field = self.path(path)
            return "COALESCE(\(field) = ANY(\(bind(operands.map(\.jsonText)))::text[]::jsonb[]), false)"
        case .gt(let path, let operand): return range(path, ">", operand)
        case .gte(let path, let operand): return range(path, ">=", operand)
        case .lt(let path, let operand): return range(path, "<", operand)
        case .lte(let path, let operand): return range(path, "<=", operand)
        case .and(let filters):
            guard !filters.isEmpty else { return "TRUE" }
            var conditions: [String] = []
            for filter in filters { conditions.append(condition(filter)) }
            return "(\(conditions.joined(separator: " AND ")))"
        case .or(let filters):
            guard !filters.isEmpty else { return "FALSE" }
            var conditions: [String] = []
            for filter in filters { conditions.append(condition(filter)) }
            return "(\(conditions.joined(separator: " OR ")))"
        }
    }

    /// A range comparison: numbers with numbers (as `numeric`), strings with strings (by code
    /// point); anything else is false.
    private mutating func range(_ path: String, _ comparison: String, _ operand: JSONValue) -> String {
        switch operand {
        case .number(let number):
            let field = self.path(path)
            let value = bind(number.description)
            return "(CASE WHEN jsonb_typeof(\(field)) = 'number' THEN (\(field) #>> '{}')::numeric \(comparison) \(value)::numeric ELSE false END)"
        case .string(let string):
            let field = self.path(path)
            let value = bind(string)
            return "(CASE WHEN jsonb_typeof(\(field)) = 'string' THEN (\(field) #>> '{}') COLLATE \"C\" \(comparison) \(value)::text ELSE false END)"
        case .null, .bool, .array, .object:
            return "FALSE"
        }
    }

    /// The `ORDER BY` terms of one sort key, reproducing ``StateQuery/evaluate(_:)``'s order:
    /// present fields first whatever the direction, then type rank, then the value within its type.
    mutating func ordering(_ sort: QuerySort) -> [String] {
        let field = path(sort.path)
        let direction = sort.descending ? "DESC" : "ASC"
        return [
            "(\(field) IS NULL) ASC",
            """
            (CASE jsonb_typeof(\(field)) WHEN 'null' THEN 0 WHEN 'string' THEN 1 WHEN 'number' THEN 2 \
            WHEN 'boolean' THEN 3 WHEN 'array' THEN 4 WHEN 'object' THEN 5 END) \(direction)
            """,
            "(CASE WHEN jsonb_typeof(\(field)) = 'number' THEN (\(field) #>> '{}')::numeric END) \(direction)",
            "(CASE WHEN jsonb_typeof(\(field)) = 'string' THEN (\(field) #>> '{}') END) COLLATE \"C\" \(direction)",
            "(CASE WHEN jsonb_typeof(\(field)) = 'boolean' THEN (\(field) #>> '{}')::boolean END) \(direction)",
        ]
    }
}
