/// What PostgreSQL's `text` and `varchar(n)` accept, checked before a string reaches a query, so
/// a client's text the column would refuse is a 400 naming the field, never a 500.
///
/// - `text` cannot hold U+0000 (PostgreSQL refuses it in any text value: SQLSTATE 22021/22P05).
/// - `varchar(n)` counts characters as code points (Unicode scalars), while Swift's
///   `String.count` counts grapheme clusters: `"e\u{301}"` is 1 for Swift and 2 for the column, so
///   limits are checked on `unicodeScalars`.
public enum PostgresText {
    /// Why `value` cannot be stored in a column of at most `maximumCharacters` code points (no
    /// limit when `nil`), or `nil` when it can.
    public static func problem(_ value: String, maximumCharacters: Int? = nil) -> String? {
        if value.unicodeScalars.contains("\0") { return "must not contain the NUL character (U+0000)" }
        if let maximumCharacters, value.unicodeScalars.count > maximumCharacters {
            return "must be at most \(maximumCharacters) characters (Unicode code points)"
        }
        return nil
    }
}
