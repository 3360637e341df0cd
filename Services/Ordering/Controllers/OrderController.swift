import EventBus
import Foundation
import Hummingbird
import ServiceDefaults
import StateClient

/// `/api/v1/orders`: every route sits behind ``BearerAuthMiddleware``; the buyer is the token's
/// `sub`, and a buyer only ever sees their own orders (another buyer's order is a 404, exactly as
/// an unknown one, so ids cannot be probed).
struct OrderController: Sendable {
    let service: OrderingService

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get(use: list)
        routes.get("admin", use: adminList)
        routes.get(":orderId", use: get)
        routes.put(":orderId/cancel", use: cancel)
        routes.put(":orderId/ship", use: ship)
        return routes
    }

    /// `GET ?pageSize=&continuationToken=`: the caller's orders, newest first.
    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> OrderPage {
        let user = try context.requireUser()
        return try await page(.eq("buyerId", .string(user.buyerID)), request)
    }

    /// `GET /admin?status=&pageSize=&continuationToken=`: every buyer's orders (admins only), newest first.
    @Sendable func adminList(_ request: Request, context: ServiceRequestContext) async throws -> OrderPage {
        try Self.requireAdmin(context)
        let statuses: [OrderStatus]
        if let text = request.uri.queryParameters["status"].map(String.init) {
            guard let status = OrderStatus(rawValue: text) else {
                throw ProblemDetails(
                    .badRequest, detail: "unknown status '\(text)'",
                    errors: ["status": ["must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))"]])
            }
            statuses = [status]
        } else {
            statuses = OrderStatus.allCases
        }
        return try await page(.in("status", statuses.map { .string($0.rawValue) }), request)
    }

    /// `GET /{orderId}`: 200 with the order; 404 for an unknown id or another buyer's order.
    @Sendable func get(_ request: Request, context: ServiceRequestContext) async throws -> OrderView {
        OrderView(try await service.order(try context.parameters.require("orderId"), for: try context.requireUser()))
    }

    /// `PUT /{orderId}/cancel`: 200 with the cancelled order; 404 as `get`; 409 once stock is paid for.
    @Sendable func cancel(_ request: Request, context: ServiceRequestContext) async throws -> OrderView {
        OrderView(try await service.cancel(try context.parameters.require("orderId"), by: try context.requireUser()))
    }

    /// `PUT /{orderId}/ship`: admins only (403); 200 with the shipped order; 404; 409 unless `paid`.
    @Sendable func ship(_ request: Request, context: ServiceRequestContext) async throws -> OrderView {
        try Self.requireAdmin(context)
        return OrderView(try await service.ship(try context.parameters.require("orderId")))
    }

    private func page(_ filter: QueryFilter, _ request: Request) async throws -> OrderPage {
        let query = request.uri.queryParameters
        let pageSize = try Self.pageSize(query["pageSize"].map(String.init))
        let token = query["continuationToken"].map(String.init)
        do {
            let page = try await service.repository.page(where: filter, pageSize: pageSize, token: token)
            return OrderPage(items: page.orders.map(OrderSummary.init), continuationToken: page.token)
        } catch let error as StateError where error.code == .invalidRequest {
            throw ProblemDetails(.badRequest, detail: "invalid continuation token", errors: ["continuationToken": ["is not a token this API returned"]])
        }
    }

    /// `pageSize`: 1…100, 10 when absent.
    static func pageSize(_ text: String?) throws -> Int {
        guard let text else { return 10 }
        guard let size = Int(text), (1...100).contains(size) else {
            throw ProblemDetails(.badRequest, detail: "pageSize must be 1…100", errors: ["pageSize": ["must be an integer 1…100"]])
        }
        return size
    }

    static func requireAdmin(_ context: ServiceRequestContext) throws {
        guard try context.requireUser().isAdmin else {
            throw ProblemDetails(.forbidden, detail: "only an admin may do this")
        }
    }
}

extension OrderView: ResponseEncodable {}
extension OrderPage: ResponseEncodable {}
