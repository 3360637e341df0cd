import Foundation
import Hummingbird

extension Request {
    /// The query parameter `name` as an HTML form's GET sends it
    /// (`application/x-www-form-urlencoded`: `+` is a space, `%2B` a plus), percent-decoded; `nil`
    /// when absent. Hummingbird's `uri.queryParameters` reads the query by RFC 3986, where `+`
    /// stays a plus, so "warm hat" typed in the search box arrived as "warm+hat".
    func formQueryValue(_ name: String) -> String? {
        guard let query = uri.query else { return nil }
        func decoded(_ text: Substring) -> String? { text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard decoded(parts[0]) == name else { continue }
            return parts.count > 1 ? decoded(parts[1]) : ""
        }
        return nil
    }
}
