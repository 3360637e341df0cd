import Mustache

/// HTML-escapes a value: `&`, `<`, `>`, `"` and `'` become `&amp;`, `&lt;`, `&gt;`, `&quot;` and
/// `&#39;`, as with swift-mustache's own `HTML` content type, over the text's UTF-8 bytes.
/// Registered through swift-mustache's extension point for escaping (a `MustacheContentType`
/// named `html-utf8`) and selected by the first line of `layout.mustache` (so every page) and of
/// each partial (a partial starts again with swift-mustache's type).
///
/// Ours because swift-mustache's looks every `Character` up in a dictionary: 8 % of the
/// storefront's CPU on the catalog page, 1.6 % with this (docs/performance.md). Working on bytes
/// it is also stricter: a `"` followed by a combining mark is one `Character`, which that look-up
/// misses and leaves raw; here it is escaped (`WebAppRenderingTests`).
struct HTMLText: MustacheContentType {
    static let name = "html-utf8"

    func escapeText(_ text: String) -> String {
        var escaped: [UInt8] = []
        escaped.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): escaped.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): escaped.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): escaped.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): escaped.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): escaped.append(contentsOf: "&#39;".utf8)
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }
}
