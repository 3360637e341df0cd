import Foundation

/// A query over JSON values, as Dapr's state query API (alpha) defines it:
/// `{"filter": {"EQ": {"address.city": "Seattle"}}, "sort": [{"key": "price", "order": "DESC"}],
///   "page": {"limit": 10, "token": "10"}}`.
///
/// Numbers compare numerically (`9 < 10`), strings by their characters; results are limited to the
/// caller's key prefix.
public struct StateQuery: Sendable, Hashable {
    public var filter: QueryFilter?
    public var sort: [QuerySort]
    /// At most this many results; `nil` for all.
    public var limit: Int?
    /// Where the previous page ended (a decimal offset).
    public var token: String?

    public init(filter: QueryFilter? = nil, sort: [QuerySort] = [], limit: Int? = nil, token: String? = nil) {
        self.filter = filter
        self.sort = sort
        self.limit = limit
        self.token = token
    }

    /// The offset `token` stands for, or ``StateError/Code/invalidRequest``.
    public func offset() throws(StateError) -> Int {
        guard let token, !token.isEmpty else { return 0 }
        guard let offset = Int(token), offset >= 0 else {
            throw StateError(.invalidRequest, "invalid page token '\(token)'")
        }
        return offset
    }
}

/// A filter of a ``StateQuery``; `path` is a dotted path into the JSON value (`address.city`).
public indirect enum QueryFilter: Sendable, Hashable {
    /// Operands are scalars: strings, numbers, booleans or null.
    case eq(String, JSONValue)
    case neq(String, JSONValue)
    case gt(String, JSONValue)
    case gte(String, JSONValue)
    case lt(String, JSONValue)
    case lte(String, JSONValue)
    case `in`(String, [JSONValue])
    case and([QueryFilter])
    case or([QueryFilter])
}

/// One sort key.
public struct QuerySort: Sendable, Hashable {
    public var path: String
    public var descending: Bool

    public init(_ path: String, descending: Bool = false) {
        self.path = path
        self.descending = descending
    }
}

/// What a query found.
public struct StateQueryResult: Sendable, Hashable {
    public struct Item: Sendable, Hashable {
        /// The key: the stored key (prefixed) in what a ``StateStore`` returns, the user key in
        /// what ``StateClient/query(_:)`` returns.
        public var key: String
        public var value: [UInt8]
        public var etag: String

        public init(key: String, value: [UInt8], etag: String) {
            self.key = key
            self.value = value
            self.etag = etag
        }
    }

    public var items: [Item]
    /// The token for the next page, when a limit was given and more may follow.
    public var token: String?

    public init(items: [Item], token: String?) {
        self.items = items
        self.token = token
    }
}
