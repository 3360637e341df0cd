import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// What every page's layout shows: the title, who is signed in, the CSRF token for its forms.
struct Chrome: Sendable, MustacheParent {
    struct User: Sendable, MustacheParent {
        var name: String
        var isAdmin: Bool

        func child(named key: String) -> Any? {
            switch key {
            case "name": name
            case "isAdmin": isAdmin
            default: nil
            }
        }
    }

    var title: String
    var user: User?
    var csrf: String

    func child(named key: String) -> Any? {
        switch key {
        case "title": title
        case "user": user
        case "csrf": csrf
        default: nil
        }
    }
}

extension Chrome {
    init(title: String, context: WebRequestContext) {
        self.init(title: title, user: context.user.map { User(name: $0.name, isAdmin: $0.isAdmin) }, csrf: context.csrfToken)
    }
}

/// Renders the Mustache templates bundled in `Templates/` (each page inherits `layout`). Mustache's
/// `{{name}}` escapes `& < > " '` (through ``HTMLText``), so every value from an API or a user is
/// shown as text; the templates never use the unescaped `{{{…}}}` form.
///
/// Every view is a `MustacheParent`: it answers `child(named:)` with a `switch` over its stored
/// properties. Without it swift-mustache finds each `{{name}}` by reflection (`Mirror`) on every
/// level of the context stack, which took most of the catalog page's time (docs/performance.md).
/// `WebAppViewTests` checks that every view's `child(named:)` answers each stored property.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    /// Loads the templates from the bundle once, at start.
    static func bundled() async throws -> PageRenderer {
        guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Templates"])
        }
        MustacheContentTypes.register(HTMLText(), named: HTMLText.name)
        return PageRenderer(library: try await MustacheLibrary(directory: folder.path))
    }

    /// An HTML response of `template` rendered with `model`. Pages are personal (the user's name,
    /// the CSRF token), so no shared cache may keep them.
    func page(_ template: String, _ model: some MustacheParent, status: HTTPResponse.Status = .ok) -> Response {
        guard let html = library.render(model, withTemplate: template) else {
            preconditionFailure("no template named \(template) in the bundle")
        }
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

/// Money as the storefront shows it: `$12.30`.
enum Money {
    static func format(_ amount: Decimal) -> String {
        var value = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        // Decimal's description has no trailing zeros: "12.3", "59".
        let digits = rounded.description
        guard let dot = digits.firstIndex(of: ".") else { return "$" + digits + ".00" }
        return "$" + digits + (digits.distance(from: dot, to: digits.endIndex) == 2 ? "0" : "")
    }
}
