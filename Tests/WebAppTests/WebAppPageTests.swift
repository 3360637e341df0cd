import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Mustache
import Testing

@testable import WebApp

/// The storefront built by the production `buildApplication` with its test seam
/// (`STATE_STORE=memory`), every backend at an address where nothing listens.
private func withStorefront(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
    let reader = ConfigReader(providers: [
        InMemoryProvider(values: [
            "state.store": "memory", "catalog.url": "http://127.0.0.1:9", "basket.url": "http://127.0.0.1:9",
            "ordering.url": "http://127.0.0.1:9", "identity.url": "http://127.0.0.1:9", "model.worker.url": "http://127.0.0.1:9",
        ]),
        InMemoryProvider.serviceDefaults(port: webAppDefaultPort, appID: webAppDefaultAppID),
    ])
    try await buildApplication(reader: reader).test(.router, body)
}

/// The session cookie's value from a response's `Set-Cookie`.
private func sessionCookie(_ response: TestResponse) -> String? {
    response.headers[values: .setCookie].first { $0.hasPrefix("eshop_session=") }
        .map { String($0.dropFirst("eshop_session=".count).prefix { $0 != ";" }) }
}

@Suite struct WebAppPageTests {
    @Test func aCatalogThatIsDownGivesAnHTMLPageWith503AndRetryAfter() async throws {
        try await withStorefront { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "5")
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(String(buffer: response.body).contains("The catalog service is not answering"))
        }
    }

    @Test func everyAnswerCarriesTheSecurityHeaders() async throws {
        try await withStorefront { client in
            for uri in ["/signin", "/static/site.css", "/no-such-page"] {
                let response = try await client.execute(uri: uri, method: .get)
                let policy = try #require(response.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(policy.contains("script-src 'self'"))
                #expect(!policy.contains("unsafe-inline"))
                #expect(policy.contains("frame-ancestors 'none'"))
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            }
        }
    }

    @Test func theSessionCookieIsHttpOnlyAndSameSiteLax() async throws {
        try await withStorefront { client in
            let response = try await client.execute(uri: "/signin", method: .get)
            #expect(response.status == .ok)
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("eshop_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Path=/"))
            #expect(!cookie.contains("Secure"))
        }
    }

    @Test func aFormPostWithoutTheSessionsCSRFTokenIsRefused() async throws {
        try await withStorefront { client in
            let page = try await client.execute(uri: "/signin", method: .get)
            let session = try #require(sessionCookie(page))
            let html = String(buffer: page.body)
            let token = try #require(html.firstMatch(of: /name="_csrf" value="([^"]+)"/)?.1)
            let headers: HTTPFields = [.cookie: "eshop_session=\(session)", .contentType: "application/x-www-form-urlencoded"]
            for form in ["username=alice&password=x", "username=alice&password=x&_csrf=forged", "_csrf=\(token)x&username=alice"] {
                let refused = try await client.execute(uri: "/signin", method: .post, headers: headers, body: ByteBuffer(string: form))
                #expect(refused.status == .forbidden, "\(form)")
                #expect(String(buffer: refused.body).contains("Form expired"))
            }
            // The right token gets past the check (to Identity, which is down here: 503).
            let passed = try await client.execute(
                uri: "/signin", method: .post, headers: headers, body: ByteBuffer(string: "_csrf=\(token)&username=alice&password=x"))
            #expect(passed.status == .serviceUnavailable)
            // Another session's token is worth nothing.
            let other: HTTPFields = [.cookie: "eshop_session=g.\(String(repeating: "A", count: 43))", .contentType: "application/x-www-form-urlencoded"]
            let stolen = try await client.execute(uri: "/signin", method: .post, headers: other, body: ByteBuffer(string: "_csrf=\(token)"))
            #expect(stolen.status == .forbidden)
        }
    }

    @Test func pagesForSignedInUsersSendGuestsToSignIn() async throws {
        try await withStorefront { client in
            for path in ["/basket", "/checkout", "/orders", "/admin"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/signin?returnUrl=" + path.queryEscaped)
            }
        }
    }

    @Test func unknownPagesAreHTML404s() async throws {
        try await withStorefront { client in
            let response = try await client.execute(uri: "/nothing/here", method: .get)
            #expect(response.status == .notFound)
            #expect(String(buffer: response.body).contains("<h1>Not found</h1>"))
        }
    }

    @Test func theSignInPageAcceptsOnlyLocalReturnURLs() async throws {
        #expect("/orders/1".localPath == "/orders/1")
        for hostile in ["//evil.example", "https://evil.example", "/\\evil.example", "orders", "/a\nb"] {
            #expect(hostile.localPath == "/")
        }
    }
}

@Suite struct WebAppRenderingTests {
    @Test func valuesFromTheAPIsAreEscaped() async throws {
        let renderer = try await PageRenderer.bundled()
        let view = CatalogController.CatalogPageView(
            chrome: Chrome(title: "Catalog", user: nil, csrf: "t"), q: "\"><script>x</script>", brands: [], types: [],
            searchNote: nil, searchMode: nil, countText: "1 product",
            items: [.init(id: 1, name: "<script>alert(1)</script>", price: "$1.00")], pageNumber: 1, pageCount: 1)
        let text = try #require(renderer.library.render(view, withTemplate: "catalog"))
        #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(text.contains("value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""))
        #expect(!text.contains("<script>alert"))
        // The only script is our own file.
        #expect(text.components(separatedBy: "<script").count == 2)
        // layout.mustache's pragma line (HTMLText) leaves nothing on the page.
        #expect(text.hasPrefix("<!doctype html>\n"))
    }

    /// ``HTMLText`` escapes as swift-mustache's own `HTML` content type does, and also a quote
    /// that a combining mark follows (one `Character`, which swift-mustache leaves raw).
    @Test func htmlTextEscapesLikeSwiftMustache() throws {
        struct Value: MustacheParent {
            var text: String
            func child(named key: String) -> Any? { key == "text" ? text : nil }
        }
        let mustache = try MustacheTemplate(string: "{{text}}")
        let ascii = String(decoding: (1...127).map { UInt8($0) }, as: UTF8.self)
        for sample in [ascii, "Tom & Jerry's <b>\"café\"</b> ☕️ 𝄞", "", "&amp;", "e\u{301}<"] {
            #expect(HTMLText().escapeText(sample) == mustache.render(Value(text: sample)))
        }
        #expect(HTMLText().escapeText("<a href='x'>\"&\"</a>") == "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;")
        let quoteAndAccent = "\"\u{301}"  // one Character
        let escaped = HTMLText().escapeText(quoteAndAccent + " onmouseover=x")
        #expect(escaped == "&quot;" + "\u{301}" + " onmouseover=x")
        let leftRaw = mustache.render(Value(text: quoteAndAccent))
        #expect(leftRaw == quoteAndAccent)
    }

    /// Only the field with an error is marked (a field without one used to pick up the page's
    /// `error` through Mustache's context stack, and every field turned red).
    @Test func onlyTheFieldWithAnErrorIsMarked() async throws {
        let renderer = try await PageRenderer.bundled()
        func field(_ name: String, error: String?) -> CheckoutController.Field {
            .init(name: name, label: name, value: "", type: "text", autocomplete: "off", hint: nil, fieldError: error)
        }
        let view = CheckoutController.CheckoutPageView(
            chrome: Chrome(title: "Checkout", user: nil, csrf: "t"), idempotencyKey: "k", error: "Please correct the fields marked below.",
            address: [field("street", error: nil)], card: [field("cardNumber", error: "Card number is not valid.")], total: "$1.00", itemCountText: CheckoutController.itemCountText(1))
        let text = try #require(renderer.library.render(view, withTemplate: "checkout"))
        #expect(text.components(separatedBy: "aria-invalid").count == 2)
        #expect(text.contains(#"<span class="field-error" id="cardNumber-error">Card number is not valid.</span>"#))
        #expect(!text.contains("street-error"))
        #expect(text.contains("1 item, total"))
    }

    /// The search box's GET sends spaces as `+` (HTML forms' encoding); `%2B` is a plus.
    @Test func formQueryValuesReadPlusAsASpace() {
        func value(_ query: String) -> String? {
            Request(head: HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/?" + query), body: RequestBody(buffer: ByteBuffer()))
                .formQueryValue("q")
        }
        #expect(value("q=something+warm+for+my+head") == "something warm for my head")
        #expect(value("brand=1&q=c%2B%2B+book") == "c++ book")
        #expect(value("q=") == "")
        #expect(value("brand=1") == nil)
    }

    @Test func moneyShowsTwoDecimals() {
        #expect(Money.format(12.3) == "$12.30")
        #expect(Money.format(59) == "$59.00")
        #expect(Money.format(Decimal(string: "0.125")!) == "$0.13")
    }
}
