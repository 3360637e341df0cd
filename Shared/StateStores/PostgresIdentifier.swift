import StateClient

/// A validated, quoted PostgreSQL table name (`state`, `myschema.state`).
///
/// Identifiers cannot be bind parameters, so table names reach SQL text: they are checked
/// strictly (one or two parts separated by a dot; each part ASCII letters, digits and `_`, not
/// starting with a digit, at most 63 characters), folded to lower case as PostgreSQL folds the
/// unquoted names Dapr uses, and double-quoted.
struct PostgresIdentifier: Sendable, Hashable, CustomStringConvertible {
    /// The schema, when the name is schema-qualified.
    let schema: String?
    /// The table's own name.
    let name: String

    init(validating raw: String) throws(StateError) {
        let parts = raw.split(separator: ".", omittingEmptySubsequences: false).map { $0.lowercased() }
        guard (1...2).contains(parts.count), parts.allSatisfy(Self.isValidPart) else {
            throw StateError(
                .invalidRequest,
                "invalid table name '\(raw)': use letters, digits and '_' (not starting with a digit, at most 63 characters), optionally 'schema.table'")
        }
        self.schema = parts.count == 2 ? parts[0] : nil
        self.name = parts[parts.count - 1]
    }

    /// The name as SQL text: `"schema"."table"`.
    var sql: String {
        [schema, name].compactMap { $0 }.map { "\"\($0)\"" }.joined(separator: ".")
    }

    /// A quoted identifier derived from this table's name (`"state_row_id_idx"`), for an index
    /// (index names are never schema-qualified: an index lives in its table's schema).
    func derivedName(suffix: String) -> String {
        "\"\(String((name + suffix).prefix(63)))\""
    }

    var description: String { [schema, name].compactMap { $0 }.joined(separator: ".") }

    private static func isValidPart(_ part: String) -> Bool {
        guard let first = part.utf8.first, part.utf8.count <= 63, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return part.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }
}
