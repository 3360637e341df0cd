import Foundation

/// The value of an `If-Match` or `If-None-Match` header (RFC 9110 §13.1.1, §13.1.2): `*`, or a
/// list of entity tags, each strong (`"v1"`) or weak (`W/"v1"`).
///
/// ```swift
/// if let condition = EntityTagCondition(request.headers[.ifMatch]), !condition.ifMatch(current: version) {
///     throw ProblemDetails(.preconditionFailed, detail: "changed since it was read")
/// }
/// ```
///
/// Weak tags follow RFC 9110 §8.8.3.2: `If-Match` compares strongly, so a weak tag never matches
/// there; `If-None-Match` compares weakly, so `W/"v1"` matches `"v1"`. A tag sent without its
/// quotes (`v1`, a common client mistake) is read as the strong tag `"v1"`.
public enum EntityTagCondition: Sendable, Equatable {
    /// `*`: any current representation.
    case any
    /// The listed tags, in order.
    case tags([EntityTag])

    /// One entity tag: its opaque value (without quotes) and whether it is weak.
    public struct EntityTag: Sendable, Equatable {
        public var value: String
        public var isWeak: Bool

        public init(_ value: String, isWeak: Bool = false) {
            self.value = value
            self.isWeak = isWeak
        }
    }

    /// Parses a header value; `nil` for an absent or blank header (no condition).
    public init?(_ header: String?) {
        guard let header, header.contains(where: { $0 != " " && $0 != "\t" && $0 != "," }) else { return nil }
        if header.trimmingCharacters(in: .whitespaces) == "*" {
            self = .any
            return
        }
        self = .tags(Self.parseList(Substring(header)))
    }

    /// `If-Match`: whether `current` (the representation's tag value, unquoted; `nil` when there
    /// is none) satisfies the condition by strong comparison.
    public func ifMatch(current: String?) -> Bool {
        guard let current else { return false }
        switch self {
        case .any: return true
        case .tags(let tags): return tags.contains { !$0.isWeak && $0.value == current }
        }
    }

    /// `If-None-Match`: whether `current` is named by the condition (weak comparison); a `true`
    /// means "not modified" for a GET or HEAD, "precondition failed" otherwise.
    public func ifNoneMatchNames(current: String?) -> Bool {
        guard let current else { return false }
        switch self {
        case .any: return true
        case .tags(let tags): return tags.contains { $0.value == current }
        }
    }

    /// Splits `1#entity-tag` on the commas between tags (a comma may sit inside quotes).
    private static func parseList(_ text: Substring) -> [EntityTag] {
        var tags: [EntityTag] = []
        var rest = text[...]
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
            guard !rest.isEmpty else { return tags }
            var isWeak = false
            if rest.hasPrefix("W/") {
                isWeak = true
                rest = rest.dropFirst(2)
            }
            if rest.first == "\"" {
                let body = rest.dropFirst()
                let end = body.firstIndex(of: "\"") ?? body.endIndex
                tags.append(EntityTag(String(body[..<end]), isWeak: isWeak))
                rest = end == body.endIndex ? body[end...] : body[body.index(after: end)...]
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                tags.append(EntityTag(String(rest[..<end]).trimmingCharacters(in: .whitespaces), isWeak: isWeak))
                rest = rest[end...]
            }
        }
    }
}
