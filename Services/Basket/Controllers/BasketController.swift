import Foundation
import HTTPTypes
import Hummingbird
import ServiceDefaults

/// `/api/v1/basket`: the caller's basket. Every route sits behind ``BearerAuthMiddleware``; the
/// buyer is the token's `sub`, never a URL or body field.
struct BasketController: Sendable {
    let service: BasketService

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
        let basket = try await service.basket(of: context.requireUser().buyerID)
        return try answer(basket.view, version: basket.version, request: request, context: context)
    }

    /// `PUT` (or `POST`) `{"items":[{"productId","quantity"}]}`: 200 with the stored basket and its
    /// new `ETag`; 400 naming bad fields or unknown products; 412 when `If-Match` no longer matches;
    /// 503 while Catalog or Redis is unavailable.
    @Sendable func replace(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let buyerId = try context.requireUser().buyerID
        let update = try BasketUpdate(try await request.decode(as: BasketUpdateRequest.self, context: context))
        let basket = try await service.replace(buyerId, with: update, ifMatch: EntityTagCondition(request.headers[.ifMatch]))
        return try answer(basket.view, version: basket.version, request: request, context: context)
    }

    /// `DELETE`: 204, whether or not a basket was stored; 412 when `If-Match` no longer matches
    /// (nothing is deleted).
    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        try await service.delete(context.requireUser().buyerID, ifMatch: EntityTagCondition(request.headers[.ifMatch]))
        return Response(status: .noContent)
    }

    /// `POST /checkout` with `Idempotency-Key: <uuid>` (or eShop's `x-requestid`): 202
    /// `{"orderId": <the key, lower case>}`, the same for a repeated key; 400 naming bad fields,
    /// for a missing key or an empty basket.
    @Sendable func checkout(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let key = try Self.idempotencyKey(request)
        let checkout = try ValidCheckout(try await request.decode(as: CheckoutRequest.self, context: context))
        let orderId = try await service.checkout(user, idempotencyKey: key, checkout)
        var response = try context.responseEncoder.encode(CheckoutAccepted(orderId: orderId.uuidString.lowercased()), from: request, context: context)
        response.status = .accepted
        return response
    }

    struct CheckoutAccepted: Encodable {
        /// The idempotency key, lower-case as every id the system writes.
        var orderId: String
    }

    /// The JSON answer (Hummingbird's response encoding) with the basket's version as a strong `ETag`.
    func answer(_ view: BasketView, version: String, request: Request, context: ServiceRequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(view, from: request, context: context)
        response.headers[.eTag] = "\"\(version)\""
        return response
    }

    /// The checkout's idempotency key: the IETF `Idempotency-Key` header
    /// (draft-ietf-httpapi-idempotency-key-header), else eShop's `x-requestid`; it must be a UUID,
    /// because it becomes the order id. `X-Request-Id` is only a correlation id (a proxy may set
    /// a new one on every attempt), so it is never taken as the key.
    static func idempotencyKey(_ request: Request) throws -> UUID {
        let named = [HTTPField.Name.idempotencyKey, .eShopRequestID].lazy.compactMap { name in request.headers[name].map { (name, $0) } }.first
        guard let (name, value) = named else {
            throw ProblemDetails(
                .badRequest, detail: "checkout needs an Idempotency-Key header holding a UUID, the same on retries",
                errors: ["Idempotency-Key": ["is required and must be a UUID"]])
        }
        guard let key = UUID(uuidString: value.trimmingCharacters(in: .whitespaces)) else {
            throw ProblemDetails(.badRequest, detail: "the \(name) header must be a UUID", errors: [name.canonicalName: ["must be a UUID"]])
        }
        return key
    }
}

extension HTTPField.Name {
    /// `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header): the same value on every
    /// retry of one operation.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// `x-requestid`: the idempotency header of eShop's clients, accepted for compatibility.
    static let eShopRequestID = HTTPField.Name("x-requestid")!
}
