import Foundation

/// The buyer's basket as Basket's API answers it (docs/basket.md), with its `ETag`.
struct Basket: Decodable, Sendable {
    struct Line: Decodable, Sendable {
        var productId: Int
        var productName: String
        var unitPrice: Decimal
        /// The price the line was saved at, when the catalog price changed since.
        var oldUnitPrice: Decimal?
        var quantity: Int
    }

    var items: [Line]
    var total: Decimal
    /// The basket's version (`ETag` header), sent back as `If-Match` so a change made elsewhere
    /// in the meantime is refused (412) instead of overwritten.
    var etag: String = "\"0\""

    private enum CodingKeys: String, CodingKey { case items, total }
}

/// The checkout form as Basket's `POST /api/v1/basket/checkout` takes it.
struct CheckoutForm: Codable, Sendable {
    var street = ""
    var city = ""
    var state = ""
    var country = ""
    var zipCode = ""
    var cardNumber = ""
    var cardHolderName = ""
    var cardExpiration = ""
    var cardSecurityCode = ""
}

/// What a basket write came to.
enum BasketWrite: Sendable {
    case saved(Basket)
    /// 412: the basket changed since the `If-Match` version was read.
    case changedElsewhere
    /// 400 with the fields' errors (`items[0].quantity`).
    case refused(detail: String?, errors: [String: [String]])
}

/// What a checkout came to.
enum CheckoutOutcome: Sendable {
    case accepted(orderId: String)
    /// 400: the fields' errors (shown next to the fields), or a problem with the basket.
    case invalid(detail: String?, errors: [String: [String]])
    /// 409: a line's price changed or its product is gone; the basket page shows which.
    case conflict(detail: String?, errors: [String: [String]])
}

/// Basket's API, called with the signed-in buyer's token.
struct BasketAPI: Sendable {
    let client: APIClient

    func basket(token: String) async throws -> Basket {
        let response = try await client.send(.GET, "/api/v1/basket", token: token)
        guard response.status == 200 else { throw BackendContractError(backend: client.name, status: response.status) }
        var basket = try response.decode(Basket.self)
        basket.etag = response.headers.first(name: "ETag") ?? basket.etag
        return basket
    }

    /// Replaces the lines (quantity 0 removes one) if the basket is still at `ifMatch`.
    func replace(_ lines: [(productId: Int, quantity: Int)], ifMatch: String?, token: String) async throws -> BasketWrite {
        struct Body: Encodable {
            struct Line: Encodable {
                var productId: Int
                var quantity: Int
            }
            var items: [Line]
        }
        let body = Body(items: lines.map { Body.Line(productId: $0.productId, quantity: $0.quantity) })
        let response = try await client.send(
            .PUT, "/api/v1/basket", token: token, json: body, headers: ifMatch.map { [("If-Match", $0)] } ?? [])
        switch response.status {
        case 200:
            var basket = try response.decode(Basket.self)
            basket.etag = response.headers.first(name: "ETag") ?? basket.etag
            return .saved(basket)
        case 412: return .changedElsewhere
        case 400: return .refused(detail: response.problemDetail, errors: response.problemErrors)
        default: throw BackendContractError(backend: client.name, status: response.status)
        }
    }

    /// Checks the basket out under `idempotencyKey`: the same key always answers the same order.
    func checkout(_ form: CheckoutForm, idempotencyKey: String, token: String) async throws -> CheckoutOutcome {
        let response = try await client.send(
            .POST, "/api/v1/basket/checkout", token: token, json: form, headers: [("Idempotency-Key", idempotencyKey)])
        switch response.status {
        case 202:
            struct Accepted: Decodable { var orderId: String }
            return .accepted(orderId: try response.decode(Accepted.self).orderId)
        case 400: return .invalid(detail: response.problemDetail, errors: response.problemErrors)
        case 409: return .conflict(detail: response.problemDetail, errors: response.problemErrors)
        default: throw BackendContractError(backend: client.name, status: response.status)
        }
    }
}
