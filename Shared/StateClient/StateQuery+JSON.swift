import Foundation

extension StateQuery {
    /// Parses Dapr's query JSON. Every mistake is ``StateError/Code/invalidRequest`` naming what
    /// is wrong: an unknown operator, a filter object with more than one operator, `AND`/`OR` with
    /// fewer than two filters, `IN` without a list, a non-scalar operand, a bad sort order or page.
    public init(json: [UInt8]) throws(StateError) {
        guard let parsed = JSONValue(json: json) else { throw StateError(.invalidRequest, "the query is not valid JSON") }
        guard case .object(let query) = parsed else { throw StateError(.invalidRequest, "the query must be a JSON object") }
        self.init()
        switch query["filter"] {
        case nil, .null: break
        case .object(let filter) where filter.isEmpty: break
        case .object(let filter): self.filter = try QueryFilter(json: filter)
        default: throw StateError(.invalidRequest, "filter must be an object")
        }
        switch query["sort"] {
        case nil, .null: break
        case .array(let entries): sort = try entries.map(QuerySort.init(json:))
        default: throw StateError(.invalidRequest, "sort must be an array")
        }
        switch query["page"] {
        case nil, .null: break
        case .object(let page):
            switch page["limit"] {
            case nil, .null: break
            case .number(let number) where (number.intValue ?? -1) >= 0:
                let value = number.intValue ?? 0
                limit = value == 0 ? nil : value
            default: throw StateError(.invalidRequest, "page.limit must be a whole number ≥ 0")
            }
            switch page["token"] {
            case nil, .null: break
            case .string(let value): token = value
            default: throw StateError(.invalidRequest, "page.token must be a string")
            }
        default: throw StateError(.invalidRequest, "page must be an object")
        }
        _ = try offset()
    }
}

extension QuerySort {
    init(json: JSONValue) throws(StateError) {
        guard case .object(let entry) = json, case .string(let key)? = entry["key"], !key.isEmpty else {
            throw StateError(.invalidRequest, "every sort entry needs a key")
        }
        switch entry["order"] {
        case nil, .null: self.init(key)
        case .string(let order) where order.uppercased() == "ASC": self.init(key)
        case .string(let order) where order.uppercased() == "DESC": self.init(key, descending: true)
        default: throw StateError(.invalidRequest, "sort order of '\(key)' must be ASC or DESC")
        }
    }
}

extension QueryFilter {
    init(json object: [UTF8Key: JSONValue]) throws(StateError) {
        guard object.count == 1, let (operator_, operand) = object.first else {
            throw StateError(.invalidRequest, "a filter must have exactly one operator, found \(object.keys.sorted().map(\.string))")
        }
        let name = operator_.string
        switch name {
        case "AND", "OR":
            guard case .array(let parts) = operand, parts.count >= 2 else {
                throw StateError(.invalidRequest, "\(name) needs an array of at least two filters")
            }
            var filters: [QueryFilter] = []
            for part in parts {
                guard case .object(let filter) = part else { throw StateError(.invalidRequest, "\(name) takes filter objects") }
                filters.append(try QueryFilter(json: filter))
            }
            self = name == "AND" ? .and(filters) : .or(filters)
        case "EQ", "NEQ", "GT", "GTE", "LT", "LTE", "IN":
            guard case .object(let pair) = operand, pair.count == 1, let (field, value) = pair.first, !field.string.isEmpty else {
                throw StateError(.invalidRequest, "\(name) needs one {\"field\": value} pair")
            }
            let path = field.string
            if name == "IN" {
                guard case .array(let values) = value, !values.isEmpty, values.allSatisfy(\.isScalar) else {
                    throw StateError(.invalidRequest, "IN needs a non-empty array of scalar values")
                }
                self = .in(path, values)
                return
            }
            guard value.isScalar else { throw StateError(.invalidRequest, "\(name) compares with a string, number, boolean or null") }
            switch name {
            case "EQ": self = .eq(path, value)
            case "NEQ": self = .neq(path, value)
            case "GT": self = .gt(path, value)
            case "GTE": self = .gte(path, value)
            case "LT": self = .lt(path, value)
            default: self = .lte(path, value)
            }
        default:
            throw StateError(.invalidRequest, "unknown filter operator '\(name)'")
        }
    }
}

extension StateQuery {
    /// The query as Dapr's query JSON, the form ``init(json:)`` reads.
    public var jsonValue: JSONValue {
        var query: [UTF8Key: JSONValue] = [:]
        if let filter { query["filter"] = filter.jsonValue }
        if !sort.isEmpty {
            query["sort"] = .array(sort.map { .object(["key": .string($0.path), "order": .string($0.descending ? "DESC" : "ASC")]) })
        }
        var page: [UTF8Key: JSONValue] = [:]
        if let limit { page["limit"] = .number(JSONNumber(limit)) }
        if let token { page["token"] = .string(token) }
        if !page.isEmpty { query["page"] = .object(page) }
        return .object(query)
    }
}

extension QueryFilter {
    /// The filter as Dapr's filter JSON (`{"EQ": {"path": value}}`).
    var jsonValue: JSONValue {
        func comparison(_ name: String, _ path: String, _ operand: JSONValue) -> JSONValue {
            .object([UTF8Key(name): .object([UTF8Key(path): operand])])
        }
        switch self {
        case .eq(let path, let value): return comparison("EQ", path, value)
        case .neq(let path, let value): return comparison("NEQ", path, value)
        case .gt(let path, let value): return comparison("GT", path, value)
        case .gte(let path, let value): return comparison("GTE", path, value)
        case .lt(let path, let value): return comparison("LT", path, value)
        case .lte(let path, let value): return comparison("LTE", path, value)
        case .in(let path, let values): return comparison("IN", path, .array(values))
        case .and(let filters): return .object(["AND": .array(filters.map(\.jsonValue))])
        case .or(let filters): return .object(["OR": .array(filters.map(\.jsonValue))])
        }
    }
}
