import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PostgresNIO
import RedisClient
import StateClient
import Synchronization
import TestSupport

/// Every service as a real process, over the test Redis (a Redis database of the test's own,
/// flushed first) and a throwaway PostgreSQL database, with the environment AppHost gives them
/// (Services/AppHost/AppHostPlan.swift): `POSTGRES_*`, `REDIS_*`, `IDENTITY_URL`, `CATALOG_URL`.
/// Ordering, Catalog and Payment can be killed and restarted on the same port.
struct EndToEndSystem: Sendable {
    let identity: TestServiceProcess
    let catalog: RestartableService
    let basket: TestServiceProcess
    let ordering: RestartableService
    let payment: RestartableService
    /// The throwaway database, for checks a test makes straight in SQL.
    let database: PostgresClient.Configuration
    let redis: RedisClient.Configuration

    /// Starts the system, runs `body`, stops every process however `body` ends.
    /// - Parameters:
    ///   - gracePeriodSeconds: Ordering's grace period (0: orders move on at once).
    ///   - paymentFailAbove: Payment refuses totals above this.
    ///   - environment: more variables for every service (`OTEL_*`).
    static func with(
        gracePeriodSeconds: Int = 0, paymentFailAbove: String = "5000", environment: [String: String] = [:],
        _ body: @Sendable (EndToEndSystem) async throws -> Void
    ) async throws {
        try await TestPostgres.withDatabase(prefix: "e2e") { database in
            try await TestRedis.withDatabase { redis in
                let common = [
                    "POSTGRES_HOST": database.host ?? "127.0.0.1", "POSTGRES_PORT": String(database.port ?? 5432),
                    "POSTGRES_USER": database.username, "POSTGRES_PASSWORD": database.password ?? "", "POSTGRES_DATABASE": database.database ?? "",
                    "REDIS_HOST": redis.host, "REDIS_PORT": String(redis.port), "REDIS_PASSWORD": redis.password ?? "", "REDIS_DATABASE": String(redis.database),
                    // A killed consumer's events are taken over within seconds instead of 30 s / 60 s.
                    "EVENTBUS_RECLAIM_IDLE_SECONDS": "2", "EVENTBUS_HANDLING_LEASE_SECONDS": "3",
                ].merging(environment) { $1 }
                try await TestServiceProcess.with("Identity", environment: common.merging(["IDENTITY_BCRYPT_COST": "4"]) { $1 }) { identity in
                    let withIdentity = common.merging(["IDENTITY_URL": identity.baseURL]) { $1 }
                    let orderingEnvironment = withIdentity.merging(
                        ["ORDERING_GRACE_PERIOD_SECONDS": String(gracePeriodSeconds), "ORDERING_TIMER_POLL_MILLISECONDS": "100"]) { $1 }
                    try await RestartableService.with("Catalog", environment: withIdentity) { catalog in
                        try await RestartableService.with("Ordering", environment: orderingEnvironment) { ordering in
                            try await RestartableService.with("Payment", environment: common.merging(["PAYMENT_FAIL_ABOVE_TOTAL": paymentFailAbove]) { $1 }) { payment in
                                // A long price cache: only ProductPriceChanged can make Basket show a new price in time.
                                let basketEnvironment = withIdentity.merging(["CATALOG_URL": catalog.baseURL, "BASKET_PRICE_CACHE_SECONDS": "600"]) { $1 }
                                try await TestServiceProcess.with("Basket", environment: basketEnvironment) { basket in
                                    try await body(
                                        EndToEndSystem(
                                            identity: identity, catalog: catalog, basket: basket, ordering: ordering, payment: payment,
                                            database: database, redis: redis))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Users

    /// A token from Identity's password grant for a development user (`Pass123$`).
    func token(_ user: String) async throws -> String {
        let answer = try await HTTP.send(
            .POST, identity.baseURL + "/connect/token", form: "grant_type=password&username=\(user)&password=Pass123%24")
        guard case .string(let token)? = answer.json?.value(at: "access_token") else { throw EndToEndError("no token for \(user): \(answer)") }
        return token
    }

    /// Adds `count` buyers `buyer1`… with alice's password (a copy of her row in Identity's database).
    func addBuyers(_ count: Int) async throws -> [String] {
        try await TestPostgres.withClient(database) { client in
            _ = try await client.query(
                """
                INSERT INTO identity.users (id, user_name, name, email, role, password_hash)
                SELECT gen_random_uuid(), 'buyer' || n, 'Buyer ' || n, 'buyer' || n || '@example.com', 'buyer', password_hash
                FROM identity.users, generate_series(1, \(count)) AS n WHERE user_name = 'alice'
                """, logger: TestPostgres.logger)
        }
        return (1...count).map { "buyer\($0)" }
    }

    // MARK: Basket

    func putBasket(_ items: [(productId: Int, quantity: Int)], token: String) async throws {
        let json = #"{"items":["# + items.map { #"{"productId":\#($0.productId),"quantity":\#($0.quantity)}"# }.joined(separator: ",") + "]}"
        // Basket answers 503 while Catalog (which prices the items) restarts: try again.
        let answer = try await retrying("PUT basket") { try await HTTP.send(.PUT, basket.baseURL + "/api/v1/basket", token: token, json: json) }
        guard answer.status == .ok else { throw EndToEndError("PUT basket: \(answer)") }
    }

    func basketItems(token: String) async throws -> [JSONValue] {
        let answer = try await HTTP.send(.GET, basket.baseURL + "/api/v1/basket", token: token)
        guard answer.status == .ok, case .array(let items)? = answer.json?.value(at: "items") else { throw EndToEndError("GET basket: \(answer)") }
        return items
    }

    /// Checks the basket out under a new request id; answers the order id Basket gave.
    func checkout(token: String) async throws -> String {
        let requestId = UUID()
        let answer = try await retrying("checkout") {
            try await HTTP.send(
                .POST, basket.baseURL + "/api/v1/basket/checkout", token: token, json: EndToEndSystem.checkoutBody,
                headers: ["Idempotency-Key": requestId.uuidString])
        }
        guard answer.status == .accepted, case .string(let orderId)? = answer.json?.value(at: "orderId") else { throw EndToEndError("checkout: \(answer)") }
        return orderId
    }

    static let checkoutBody = #"""
        {"street":"1 Main St","city":"Seattle","state":"WA","country":"US","zipCode":"98101","cardNumber":"4111111111111111",
         "cardHolderName":"Alice Smith","cardExpiration":"12/39","cardSecurityCode":"123"}
        """#

    // MARK: Ordering

    func order(_ orderId: String, token: String) async throws -> HTTP.Answer {
        try await HTTP.send(.GET, ordering.baseURL + "/api/v1/orders/\(orderId)", token: token)
    }

    /// Polls the order until its status is one of `statuses`; answers the order.
    @discardableResult
    func waitForOrder(_ orderId: String, token: String, in statuses: Set<String>, within timeout: Duration = .seconds(30)) async throws -> JSONValue {
        try await TestRedis.eventually(within: timeout) {
            let answer = try await order(orderId, token: token)
            guard case .string(let status)? = answer.json?.value(at: "status"), statuses.contains(status), let json = answer.json else {
                throw EndToEndError("order \(orderId) not yet \(statuses.sorted()): \(answer)")
            }
            return json
        }
    }

    func ship(_ orderId: String, token: String) async throws -> HTTP.Answer {
        try await HTTP.send(.PUT, ordering.baseURL + "/api/v1/orders/\(orderId)/ship", token: token)
    }

    func cancel(_ orderId: String, token: String) async throws -> HTTP.Answer {
        try await HTTP.send(.PUT, ordering.baseURL + "/api/v1/orders/\(orderId)/cancel", token: token)
    }

    // MARK: Catalog

    /// The item as Catalog answers it.
    func item(_ id: Int) async throws -> [UTF8Key: JSONValue] {
        let answer = try await retrying("GET item") { try await HTTP.send(.GET, catalog.baseURL + "/api/v1/catalog/items/\(id)") }
        guard case .object(let fields)? = answer.json else { throw EndToEndError("item \(id): \(answer)") }
        return fields
    }

    func availableStock(_ id: Int) async throws -> Int {
        guard case .number(let stock)? = try await item(id)["availableStock"], let value = stock.intValue else {
            throw EndToEndError("item \(id) has no stock")
        }
        return value
    }

    /// Changes fields of an item as an admin (`PUT` of the item with `changes` applied).
    func updateItem(_ id: Int, _ changes: [UTF8Key: JSONValue], adminToken: String) async throws {
        let fields = try await item(id).merging(changes) { $1 }
        let json = JSONValue.object(fields).jsonText
        let answer = try await HTTP.send(.PUT, catalog.baseURL + "/api/v1/catalog/items/\(id)", token: adminToken, json: json)
        guard answer.status == .ok else { throw EndToEndError("PUT item \(id): \(answer)") }
    }

    /// `catalog_items.reserved_stock`, straight from the database.
    func reservedStock(_ id: Int) async throws -> Int {
        try await TestPostgres.withClient(database) { client in
            for try await units in try await client.query(
                "SELECT reserved_stock FROM catalog.catalog_items WHERE id = \(id)", logger: TestPostgres.logger
            ).decode(Int.self) {
                return units
            }
            throw EndToEndError("no item \(id)")
        }
    }

    /// Runs `request` again while it answers 503 (a dependency restarting) or cannot connect.
    private func retrying(_ what: String, _ request: () async throws -> HTTP.Answer) async throws -> HTTP.Answer {
        try await TestRedis.eventually(within: .seconds(60)) {
            let answer = try await request()
            if answer.status == .serviceUnavailable { throw EndToEndError("\(what): \(answer)") }
            return answer
        }
    }
}

/// Small HTTP helpers over the shared client.
enum HTTP {
    struct Answer: CustomStringConvertible {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders = [:]
        var body: [UInt8]
        var json: JSONValue? { JSONValue(json: body) }
        var description: String { "\(status.code) \(String(decoding: body, as: UTF8.self))" }
    }

    static func send(
        _ method: HTTPMethod, _ url: String, token: String? = nil, json: String? = nil, form: String? = nil, headers: [String: String] = [:]
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        } else if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return Answer(status: response.status, headers: response.headers, body: Array(buffer: try await response.body.collect(upTo: 1 << 20)))
    }
}

struct EndToEndError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
