import Foundation

/// One line of Ordering's order lists.
struct OrderSummary: Decodable, Sendable {
    var orderId: String
    var status: String
    var createdAt: String
    var total: Decimal
}

/// An order as `GET /api/v1/orders/{orderId}` answers it (docs/ordering.md).
struct Order: Codable, Sendable {
    struct Address: Codable, Sendable {
        var street: String
        var city: String
        var state: String
        var country: String
        var zipCode: String
    }

    struct Item: Codable, Sendable {
        var productId: Int
        var productName: String
        var unitPrice: Decimal
        var units: Int
    }

    struct StatusChange: Codable, Sendable {
        var status: String
        var at: String
    }

    var orderId: String
    var status: String
    var createdAt: String
    var address: Address
    var items: [Item]
    var total: Decimal
    var statusHistory: [StatusChange]
    var cancelReason: String?
}

/// Ordering's API, called with the signed-in user's token (buyers see their own orders).
struct OrderingAPI: Sendable {
    let client: APIClient

    private struct Page: Decodable {
        var items: [OrderSummary]
    }

    /// The caller's newest orders (at most 50).
    func orders(token: String) async throws -> [OrderSummary] {
        try await client.get("/api/v1/orders?pageSize=50", as: Page.self, token: token)?.items ?? []
    }

    /// The order, or `nil` when it does not exist or is another buyer's (Ordering answers 404 for both).
    func order(_ orderId: String, token: String) async throws -> Order? {
        try await client.get("/api/v1/orders/\(orderId.queryEscaped)", as: Order.self, token: token)
    }

    /// Every buyer's orders in `status` (admins only).
    func orders(inStatus status: String, token: String) async throws -> [OrderSummary] {
        try await client.get("/api/v1/orders/admin?status=\(status.queryEscaped)&pageSize=100", as: Page.self, token: token)?.items ?? []
    }

    /// Ships a paid order (admins only): 200, 404, or 409 when it is not `paid`.
    func ship(_ orderId: String, token: String) async throws -> APIResponse {
        try await client.send(.PUT, "/api/v1/orders/\(orderId.queryEscaped)/ship", token: token)
    }
}
