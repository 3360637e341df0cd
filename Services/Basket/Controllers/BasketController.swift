import Foundation
import HTTPTypes
import Hummingbird
import ServiceDefaults

/// `/api/v1/basket`: the caller's basket. Every route sits behind ``BearerAuthMiddleware``; the
/// buyer is the token's `sub`, never a URL or body field.
struct BasketController: Sendable {
    let service: BasketService
    /// Each recent buyer's last answer, rendered (an unchanged basket at unchanged prices is not
    /// written out again).
    let rendered = LastResultCache<BasketView, String>()

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get(use: get)
        routes.put(use: replace)
        routes.post(use: replace)
        routes.delete(use: delete)
        routes.post("checkout", use: checkout)
        return routes
    }

    /// `GET`: 200 with the basket (empty when none is stored) and its `ETag`.
    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let buyerId = try context.requireUser().buyerID
        let basket = try await service.basket(of: buyerId)
        return answer(basket.view, version: basket.version, buyerId: buyerId)
    }

    /// `PUT` (or `POST`) `{"items":[{"productId","quantity"}]}`: 200 with the stored basket and its
    /// new `ETag`; 400 naming bad fields or unknown products; 412 when `If-Match` no longer matches;
    /// 503 while Catalog or Redis is unavailable.
    @Sendable func replace(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let buyerId = try context.requireUser().buyerID
        let update = try BasketUpdate(try await request.decode(as: BasketUpdateRequest.self, context: context))
        let basket = try await service.replace(buyerId, with: update, ifMatch: Self.ifMatch(request))
        return answer(basket.view, version: basket.version, buyerId: buyerId)
    }

    /// `DELETE`: 204, whether or not a basket was stored.
    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try await service.delete(context.requireUser().buyerID)
        return Response(status: .noContent)
    }

    /// `POST /checkout` with `X-Request-Id: <uuid>`: 202 `{"orderId": <the request id>}`, the same
    /// for a repeated request id; 400 naming bad fields, for a missing request id or an empty basket.
    @Sendable func checkout(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try context.requireUser()
        guard let header = request.headers[.requestID], let requestId = UUID(uuidString: header) else {
            throw ProblemDetails(
                .badRequest, detail: "checkout needs an X-Request-Id header holding a UUID, the same on retries",
                errors: ["X-Request-Id": ["is required and must be a UUID"]])
        }
        let checkout = try ValidCheckout(try await request.decode(as: CheckoutRequest.self, context: context))
        let orderId = try await service.checkout(user, requestId: requestId, checkout)
        var response = try context.responseEncoder.encode(CheckoutAccepted(orderId: orderId.uuidString.lowercased()), from: request, context: context)
        response.status = .accepted
        return response
    }

    struct CheckoutAccepted: Encodable {
        /// The request id, lower-case as every id the system writes.
        var orderId: String
    }

    /// The JSON answer with the basket's version as a strong `ETag`.
    func answer(_ view: BasketView, version: String, buyerId: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .eTag: "\"\(version)\""],
            body: .init(byteBuffer: ByteBuffer(string: rendered.result(for: buyerId, input: view) { $0.json })))
    }

    /// The version `If-Match` names (quotes and a weak `W/` prefix removed), `*`, or `nil`.
    static func ifMatch(_ request: Request) -> String? {
        guard var value = request.headers[.ifMatch].map({ String($0.filter { $0 != " " }) }), !value.isEmpty else { return nil }
        if value.hasPrefix("W/") { value.removeFirst(2) }
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
        return value
    }
}
