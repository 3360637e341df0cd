import AsyncHTTPClient
import EventBus
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RedisClient
import StateClient
import TestSupport
import Testing

/// Basket as a process beside real Identity and Catalog processes (on a throwaway PostgreSQL
/// database) and the test Redis: tokens from Identity, prices from Catalog, events on Redis Streams.
@Suite(.serialized, .redisReachable, .postgresReachable, .timeLimit(.minutes(2))) struct BasketSystemTests {
    /// Identity, Catalog and Basket running; `body` gets Basket's URL and a way to log in.
    private func withSystem(redis: RedisClient.Configuration = TestRedis.configuration, _ body: @escaping @Sendable (System) async throws -> Void) async throws {
        try await TestPostgres.withDatabase(prefix: "basket") { postgres in
            let database = [
                "POSTGRES_HOST": postgres.host ?? "127.0.0.1", "POSTGRES_PORT": String(postgres.port ?? 5432),
                "POSTGRES_USER": postgres.username, "POSTGRES_PASSWORD": postgres.password ?? "", "POSTGRES_DATABASE": postgres.database ?? "",
            ]
            try await TestServiceProcess.with("Identity", environment: database.merging(["IDENTITY_BCRYPT_COST": "4"]) { $1 }) { identity in
                let auth = ["IDENTITY_URL": identity.baseURL]
                try await TestServiceProcess.with("Catalog", environment: database.merging(auth) { $1 }) { catalog in
                    let basketEnvironment = auth.merging([
                        "CATALOG_URL": catalog.baseURL, "REDIS_HOST": redis.host, "REDIS_PORT": String(redis.port), "REDIS_PASSWORD": redis.password ?? "",
                    ]) { $1 }
                    try await TestServiceProcess.with("Basket", environment: basketEnvironment) { basket in
                        try await body(System(identity: identity.baseURL, basket: basket.baseURL))
                    }
                }
            }
        }
    }

    @Test func pricesFromCatalogAndKeepsBuyersApart() async throws {
        try await withSystem { system in
            let alice = try await system.token("alice")
            let put = try await system.send(.PUT, token: alice, json: #"{"items":[{"productId":1,"quantity":2},{"productId":2,"quantity":1}]}"#)
            #expect(put.status == .ok)
            let basket = try #require(put.json)
            guard case .array(let items)? = basket.value(at: "items") else { Issue.record("no items: \(put.text)"); return }
            #expect(items.count == 2)
            let total = items.reduce(Decimal(0)) { sum, item in
                guard case .number(let price)? = item.value(at: "unitPrice"), case .number(let quantity)? = item.value(at: "quantity"),
                    let price = price.decimalValue, let quantity = quantity.decimalValue
                else { return sum }
                return sum + price * quantity
            }
            #expect(basket.value(at: "total") == .number(JSONNumber(total)))
            let bob = try await system.token("bob")
            #expect(try await system.send(.GET, token: bob).json?.value(at: "items") == .array([]))
            #expect(try await system.send(.GET, token: nil).status == .unauthorized)
            #expect(try await system.send(.PUT, token: alice, json: #"{"items":[{"productId":999999,"quantity":1}]}"#).status == .badRequest)
        }
    }

    @Test func losesNoUpdateFrom32ConcurrentClients() async throws {
        try await withSystem { system in
            let alice = try await system.token("alice")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for productId in 1...32 {
                    group.addTask { try await system.addWithRetries(productId: productId, token: alice) }
                }
                try await group.waitForAll()
            }
            guard case .array(let items)? = try await system.send(.GET, token: alice).json?.value(at: "items") else {
                Issue.record("no items")
                return
            }
            let ids = items.compactMap { item -> Int? in
                if case .number(let id)? = item.value(at: "productId") { id.intValue } else { nil }
            }
            #expect(Set(ids) == Set(1...32))
        }
    }

    @Test func checksOutOnceAndClearsTheBasketWhenTheOrderIsSubmitted() async throws {
        try await withSystem { system in
            let alice = try await system.token("alice")
            _ = try await system.send(.PUT, token: alice, json: #"{"items":[{"productId":3,"quantity":1}]}"#)
            let requestId = UUID()
            for _ in 1...2 {
                let answer = try await system.send(.POST, "/checkout", token: alice, json: Self.checkout, requestId: requestId)
                #expect(answer.status == .accepted)
                #expect(answer.json?.value(at: "orderId") == .string(requestId.uuidString.lowercased()))
            }
            try await TestRedis.withClient { redis in
                try await waitUntil("one UserCheckoutAccepted on the stream and an empty outbox", within: .seconds(10)) {
                    let events = try await Self.checkoutEvents(requestId, redis)
                    let outboxIsEmpty = try await Self.outboxIsEmpty(redis)
                    return events == 1 && outboxIsEmpty
                }
                #expect(try await Self.checkoutEvents(requestId, redis) == 1)
                // Ordering's answer: the order was submitted.
                let ordering = RedisStreamsEventBus(
                    client: redis, state: StateClient(store: MemoryStateStore(), storeName: "statestore", appID: "ordering-api"),
                    configuration: .init(appID: "ordering-api"), logger: Logger(label: "ordering-test"))
                let alicesId = try #require(try await system.send(.GET, token: alice).json?.value(at: "buyerId"))
                guard case .string(let buyerId) = alicesId else { return }
                try await ordering.publish(OrderStatusChangedToSubmitted(orderId: requestId, orderStatus: .submitted, buyerId: buyerId, buyerEmail: "alice@example.com"))
            }
            try await waitUntil("the basket to be cleared once the order is submitted", within: .seconds(10)) {
                try await system.send(.GET, token: alice).json?.value(at: "items") == .array([])
            }
        }
    }

    @Test func answers503AndPublishesNothingWhileRedisIsDown() async throws {
        let redis = try await OwnRedisServer()
        do {
            try await withSystem(redis: redis.configuration) { system in
                let alice = try await system.token("alice")
                #expect(try await system.send(.PUT, token: alice, json: #"{"items":[{"productId":4,"quantity":1}]}"#).status == .ok)
                try await redis.stop()
                let requestId = UUID()
                let answer = try await system.send(.POST, "/checkout", token: alice, json: Self.checkout, requestId: requestId)
                #expect(answer.status == .serviceUnavailable)
                #expect(answer.headers.first(name: "Retry-After") != nil)
                #expect(try await system.send(.GET, token: alice).status == .serviceUnavailable)
                try await redis.start()
                try await TestRedis.withClient(redis.configuration) { client throws in
                    #expect(try await Self.checkoutEvents(requestId, client) == 0)
                    #expect(try await Self.outboxIsEmpty(client))
                }
            }
        } catch {
            try? await redis.remove()
            throw error
        }
        try await redis.remove()
    }

    // MARK: Helpers

    static let checkout = #"""
        {"street":"1 Main St","city":"Seattle","state":"WA","country":"US","zipCode":"98101","cardNumber":"4111111111111111",
         "cardHolderName":"Alice Smith","cardExpiration":"12/39","cardSecurityCode":"123"}
        """#

    /// How many `UserCheckoutAccepted` entries on the stream are for `requestId`.
    static func checkoutEvents(_ requestId: UUID, _ redis: RedisClient) async throws -> Int {
        let entries = try await redis.send(RedisCommand("XRANGE", UserCheckoutAccepted.topic, "-", "+")).array ?? []
        return entries.filter { entry in
            let fields = entry.array?.last?.array ?? []
            return fields.contains { $0.string?.lowercased().contains(requestId.uuidString.lowercased()) == true }
        }.count
    }

    /// Whether Basket's outbox holds no entry (everything was relayed).
    static func outboxIsEmpty(_ redis: RedisClient) async throws -> Bool {
        let keys = try await redis.send(RedisCommand("KEYS", "basket-api||outbox:*")).array ?? []
        return keys.isEmpty
    }
}

/// The running system, seen from a client.
struct System: Sendable {
    let identity: String
    let basket: String

    struct Answer {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue? { JSONValue(json: body) }
    }

    /// A token from Identity's password grant for a development user (`Pass123$`).
    func token(_ user: String) async throws -> String {
        var request = HTTPClientRequest(url: identity + "/connect/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "grant_type=password&username=\(user)&password=Pass123%24"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard case .string(let token)? = JSONValue(json: Array(buffer: body))?.value(at: "access_token") else {
            throw SystemError(description: "no token for \(user): \(response.status) \(String(buffer: body))")
        }
        return token
    }

    func send(_ method: HTTPMethod, _ path: String = "", token: String?, json: String? = nil, requestId: UUID? = nil, ifMatch: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: basket + "/api/v1/basket" + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let requestId { request.headers.add(name: "Idempotency-Key", value: requestId.uuidString) }
        if let ifMatch { request.headers.add(name: "If-Match", value: ifMatch) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: response.status, headers: response.headers, body: Array(buffer: body))
    }

    /// Read, add `productId`, write with `If-Match`; again on 412 until it lands.
    func addWithRetries(productId: Int, token: String) async throws {
        for _ in 1...200 {
            let current = try await send(.GET, token: token)
            guard let etag = current.headers.first(name: "ETag"), case .array(let items)? = current.json?.value(at: "items") else {
                throw SystemError(description: "bad GET: \(current.status) \(current.text)")
            }
            let lines = items.map { item in
                #"{"productId":\#(item.value(at: "productId")?.jsonText ?? "0"),"quantity":\#(item.value(at: "quantity")?.jsonText ?? "0")}"#
            } + [#"{"productId":\#(productId),"quantity":1}"#]
            let put = try await send(.PUT, token: token, json: #"{"items":[\#(lines.joined(separator: ","))]}"#, ifMatch: etag)
            if put.status == .ok { return }
            guard put.status == .preconditionFailed else { throw SystemError(description: "PUT answered \(put.status): \(put.text)") }
        }
        throw SystemError(description: "product \(productId) never landed")
    }
}

struct SystemError: Error, CustomStringConvertible {
    var description: String
}
