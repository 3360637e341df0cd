import Foundation

/// What the pages call: the backend APIs, the session store and the templates.
struct Storefront: Sendable {
    let catalog: CatalogAPI
    let basket: BasketAPI
    let ordering: OrderingAPI
    let identity: IdentityAPI
    let recommendations: RecommendationsAPI
    let sessions: SessionStore
    let renderer: PageRenderer
}

extension String {
    /// `self` when it is a path on this site (`/orders/1`), else `/`: a return URL never leads
    /// to another site (no `//host` or `https://host`).
    var localPath: String {
        guard hasPrefix("/"), !hasPrefix("//"), !hasPrefix("/\\"), !contains(where: \.isNewline) else { return "/" }
        return self
    }
}

/// Notices a page shows after a redirect (`?notice=added`): fixed texts, so a link cannot put
/// words of its own on the page.
enum Notice: String {
    case added, updated, removed, shipped, priceChanged = "price-changed", created, signedOut = "signed-out"

    var text: String {
        switch self {
        case .added: "Added to your basket."
        case .updated: "Your basket was updated."
        case .removed: "The item was removed."
        case .shipped: "The order was shipped."
        case .priceChanged: "The price was changed. Open baskets show the new price beside the old one."
        case .created: "The product was created."
        case .signedOut: "You are signed out."
        }
    }
}
