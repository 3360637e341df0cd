/// The rule for a search text, the same in Catalog (`withsemanticrelevance`) and the model
/// worker (`/api/v1/search`), so Catalog never forwards a text the worker would refuse.
///
/// A text is 1…500 characters (Unicode code points, as PostgreSQL counts them), not only
/// white space, and without U+0000. Longer texts are refused rather than cut: the model reads at
/// most 256 tokens, and a search box never needs more.
public enum SearchText {
    public static let maximumCharacters = 500

    /// Why `text` is not a valid search text (a message for a 400's `errors`), or `nil` when it is.
    public static func problem(_ text: String?) -> String? {
        guard let text else { return "is required" }
        if text.allSatisfy(\.isWhitespace) { return "must not be empty or only white space" }
        return PostgresText.problem(text, maximumCharacters: maximumCharacters)
    }
}
