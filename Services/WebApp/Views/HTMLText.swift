import Mustache

/// HTML-escapes a value as swift-mustache's own `HTML` content type does (`&`, `<`, `>`, `"`,
/// `'`; `WebAppRenderingTests` compares the two), over the text's UTF-8 bytes. Registered through
/// swift-mustache's extension point for escaping (a `MustacheContentType` named `html-utf8`) and
/// selected by `layout.mustache`'s first line, so every page and its blocks use it; a partial
/// rendered on its own falls back to swift-mustache's escaping, which is as safe.
///
/// Ours because swift-mustache's looks every `Character` up in a dictionary: 8 % of the
/// storefront's CPU on the catalog page, 1.6 % with this (docs/performance.md).
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
