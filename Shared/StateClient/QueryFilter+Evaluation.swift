import Foundation

/// The reference semantics of queries, used by ``MemoryStateStore`` and mirrored in SQL by the
/// PostgreSQL store:
///
/// - `EQ`, `IN`: the field exists and equals (numbers numerically, `1.0` = `1`; strings by code
///   points, as `jsonb` does: `"é"` and `"e\u{301}"` differ, though Swift's `==` calls them equal).
/// - `NEQ`: the field exists and does not equal.
/// - `GT`, `GTE`, `LT`, `LTE`: the field and the operand are both numbers (compared numerically)
///   or both strings (compared by Unicode code points); anything else does not match.
/// - Sorting: by JSON type first (null < string < number < boolean < array < object, PostgreSQL's
///   jsonb order), then by value; items without the field come last in both directions; ties are
///   broken by key, so pages are stable.
extension QueryFilter {
    public func matches(_ document: JSONValue) -> Bool {
        switch self {
        case .eq(let path, let operand): document.value(at: path).map { $0.isEqual(to: operand) } ?? false
        case .neq(let path, let operand): document.value(at: path).map { !$0.isEqual(to: operand) } ?? false
        case .gt(let path, let operand): Self.compare(document, path, operand) == .orderedDescending
        case .gte(let path, let operand): [.orderedDescending, .orderedSame].contains(Self.compare(document, path, operand))
        case .lt(let path, let operand): Self.compare(document, path, operand) == .orderedAscending
        case .lte(let path, let operand): [.orderedAscending, .orderedSame].contains(Self.compare(document, path, operand))
        case .in(let path, let operands):
            document.value(at: path).map { field in operands.contains { field.isEqual(to: $0) } } ?? false
        case .and(let filters): filters.allSatisfy { $0.matches(document) }
        case .or(let filters): filters.contains { $0.matches(document) }
        }
    }

    private static func compare(_ document: JSONValue, _ path: String, _ operand: JSONValue) -> ComparisonResult? {
        switch (document.value(at: path), operand) {
        case (.number(let field)?, .number(let value)): field == value ? .orderedSame : (field < value ? .orderedAscending : .orderedDescending)
        case (.string(let field)?, .string(let value)): JSONValue.compareCodePoints(field, value)
        default: nil
        }
    }
}

extension JSONValue {
    /// JSON equality as jsonb defines it: same type, numbers compared numerically, strings (and
    /// object member names) by Unicode code points — not by Swift's `==`, which treats canonically
    /// equivalent strings as equal where PostgreSQL does not.
    public func isEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.string(let left), .string(let right)):
            return left.unicodeScalars.elementsEqual(right.unicodeScalars)
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { $0.isEqual(to: $1) }
        case (.object(let left), .object(let right)):
            // Names are keyed by their bytes (``UTF8Key``), as jsonb compares them.
            return left.count == right.count && left.allSatisfy { name, value in right[name].map { $0.isEqual(to: value) } ?? false }
        default:
            return self == other
        }
    }

    /// Orders two strings by Unicode code points (PostgreSQL's `C` collation on UTF-8).
    static func compareCodePoints(_ left: String, _ right: String) -> ComparisonResult {
        let (a, b) = (Array(left.unicodeScalars.map(\.value)), Array(right.unicodeScalars.map(\.value)))
        if a == b { return .orderedSame }
        return a.lexicographicallyPrecedes(b) ? .orderedAscending : .orderedDescending
    }

    private var typeRank: Int {
        switch self {
        case .null: 0
        case .string: 1
        case .number: 2
        case .bool: 3
        case .array: 4
        case .object: 5
        }
    }

    /// jsonb's order between two values: by type rank, then by value within scalars.
    static func sortOrder(_ left: JSONValue, _ right: JSONValue) -> ComparisonResult {
        if left.typeRank != right.typeRank { return left.typeRank < right.typeRank ? .orderedAscending : .orderedDescending }
        switch (left, right) {
        case (.number(let a), .number(let b)): return a == b ? .orderedSame : (a < b ? .orderedAscending : .orderedDescending)
        case (.string(let a), .string(let b)): return compareCodePoints(a, b)
        case (.bool(let a), .bool(let b)): return a == b ? .orderedSame : (!a ? .orderedAscending : .orderedDescending)
        default: return .orderedSame
        }
    }
}

extension StateQuery {
    /// Filters, sorts and pages `items` (stored key, parsed value) by the reference semantics.
    public func evaluate(_ items: [(key: String, document: JSONValue, item: StateQueryResult.Item)]) throws(StateError) -> StateQueryResult {
        let matching = items.filter { filter?.matches($0.document) ?? true }
        let sorted = matching.sorted { left, right in
            for key in sort {
                let (a, b) = (left.document.value(at: key.path), right.document.value(at: key.path))
                switch (a, b) {
                case (nil, nil): continue
                case (nil, _): return false
                case (_, nil): return true
                case (let a?, let b?):
                    let order = JSONValue.sortOrder(a, b)
                    if order == .orderedSame { continue }
                    return key.descending ? order == .orderedDescending : order == .orderedAscending
                }
            }
            return UTF8Key(left.key) < UTF8Key(right.key)  // byte order, as PostgreSQL's COLLATE "C"
        }
        let start = try offset()
        let page = sorted.dropFirst(start).prefix(limit ?? Int.max)
        let more = limit != nil && start + page.count < sorted.count
        return StateQueryResult(items: page.map(\.item), token: more ? String(start + page.count) : nil)
    }
}
