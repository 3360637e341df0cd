import Crypto
import Foundation

/// Draws an item's picture: an SVG of our own making, from the item's name and type, so every
/// picture in the sample is generated, none copied.
enum CatalogPictureArt {
    /// The picture file name of item `id`.
    static func fileName(itemId: Int) -> String { "\(itemId).svg" }

    /// A 400×400 SVG: a background tinted from the name, a simple shape for the type, the name.
    static func svg(name: String, typeName: String) -> String {
        let digest = Array(SHA256.hash(data: Data(name.utf8)))
        let hue = (Int(digest[0]) << 8 | Int(digest[1])) % 360
        let accent = (hue + 150) % 360
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">
            <rect width="400" height="400" fill="hsl(\(hue),55%,88%)"/>
            <circle cx="330" cy="70" r="\(30 + Int(digest[2]) % 30)" fill="hsl(\(accent),60%,75%)"/>
            \(shape(for: typeName, hue: hue))
            <text x="200" y="360" font-family="sans-serif" font-size="22" text-anchor="middle" fill="hsl(\(hue),40%,25%)">\(escape(name))</text>
            </svg>
            """
    }

    /// The picture of an item as stored: SVG bytes and a strong ETag over them.
    static func picture(name: String, typeName: String) -> CatalogPicture {
        let bytes = Array(svg(name: name, typeName: typeName).utf8)
        let etag = Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return CatalogPicture(contentType: "image/svg+xml", content: bytes, etag: "\"\(etag)\"")
    }

    private static func shape(for typeName: String, hue: Int) -> String {
        let fill = "hsl(\(hue),50%,45%)"
        switch typeName {
        case "Mug":
            return #"<rect x="120" y="110" width="140" height="170" rx="18" fill="\#(fill)"/><circle cx="275" cy="195" r="42" fill="none" stroke="\#(fill)" stroke-width="18"/>"#
        case "T-Shirt":
            return #"<path d="M140 100 L110 120 L70 170 L110 200 L130 180 L130 300 L270 300 L270 180 L290 200 L330 170 L290 120 L260 100 Q200 140 140 100 Z" fill="\#(fill)"/>"#
        case "Backpack":
            return #"<rect x="125" y="110" width="150" height="200" rx="40" fill="\#(fill)"/><rect x="155" y="210" width="90" height="60" rx="10" fill="white" opacity="0.35"/><path d="M165 110 Q200 60 235 110" fill="none" stroke="\#(fill)" stroke-width="14"/>"#
        case "Notebook":
            return #"<rect x="130" y="90" width="150" height="210" rx="8" fill="\#(fill)"/><rect x="120" y="90" width="20" height="210" fill="white" opacity="0.4"/><line x1="165" y1="140" x2="255" y2="140" stroke="white" stroke-width="6"/>"#
        case "Water Bottle":
            return #"<rect x="170" y="80" width="60" height="30" rx="6" fill="\#(fill)"/><rect x="150" y="110" width="100" height="200" rx="30" fill="\#(fill)"/>"#
        default:
            return #"<path d="M120 230 Q200 90 280 230 Z" fill="\#(fill)"/><rect x="100" y="225" width="200" height="18" rx="9" fill="\#(fill)"/>"#
        }
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
