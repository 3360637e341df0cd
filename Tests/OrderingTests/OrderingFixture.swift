import EventBus
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceDefaults
import StateClient
import Synchronization
import TestSupport
import Testing

@testable import Ordering

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 2_000_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// An in-process Ordering over a memory state store and the in-memory event bus, on a
/// ``TestClock``, with tokens of ``TestSigningKey``. Events the service writes reach the bus
/// when ``relay()`` is called, so a test sees exactly what was written.
struct OrderingFixture: Sendable {
    let key: TestSigningKey
    let bus: InMemoryEventBus
    let clock: TestClock
    let service: OrderingService

    init(gracePeriod: Duration = .seconds(60)) async {
        key = await TestSigningKey()
        let state = StateClient(store: MemoryStateStore(), storeName: "orderstore", appID: "ordering-api")
        bus = InMemoryEventBus(appID: "ordering-api")
        let clock = TestClock()
        self.clock = clock
        var service = OrderingService(
            repository: OrderRepository(outbox: StateOutbox(state: state)), gracePeriod: gracePeriod, wakeRelay: {}, logger: Logger(label: "ordering-test"))
        service.now = { clock.now }
        self.service = service
        service.subscribe(to: bus)
    }

    var timer: GracePeriodTimer { GracePeriodTimer(service: service, pollInterval: .seconds(1), logger: Logger(label: "ordering-test")) }

    /// Runs `body` with the in-memory bus running (events are delivered only then).
    func running(_ body: @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await bus.run() }
            defer { group.cancelAll() }
            try await body()
        }
    }

    /// Runs `body` against the router (inside ``running(_:)``).
    func test(_ body: @Sendable (OrderingTestClient) async throws -> Void) async throws {
        let router = buildRouter(service: service, verifier: key.verifier, openAPIDocument: try orderingOpenAPIDocument(), healthChecks: [])
        try await Application(router: router).test(.router) { client in
            try await body(OrderingTestClient(client: client, key: key))
        }
    }

    /// Publishes `event` and waits until every handler (and what they published) ran.
    func deliver(_ event: some IntegrationEvent) async throws {
        try await bus.publish(event)
        await bus.waitUntilIdle()
    }

    /// Publishes what the outbox holds, then waits for the bus.
    func relay() async throws {
        try await OutboxRelay(outbox: service.repository.outbox, bus: bus, logger: Logger(label: "ordering-test")).relayPending()
        await bus.waitUntilIdle()
    }

    /// The events published on `Event`'s topic, oldest first.
    func published<Event: IntegrationEvent>(_ type: Event.Type) -> [Event] {
        bus.published(topic: Event.topic).compactMap { try? $0.event(as: Event.self) }
    }

    /// A checkout by `buyer`, delivered; answers the order id.
    func checkout(by buyer: String) async throws -> String {
        let checkout = OrderFactory.checkout(buyer: buyer)
        try await deliver(checkout)
        return checkout.requestId.uuidString.lowercased()
    }

    /// The stored order.
    func order(_ orderId: String) async throws -> Order {
        try #require(try await service.repository.entry(orderId)).order
    }
}

/// Requests as a user: `as` names the token's subject; `admin` gives the token the admin role.
struct OrderingTestClient: Sendable {
    let client: any TestClientProtocol
    let key: TestSigningKey

    func send(_ method: HTTPRequest.Method, _ uri: String, as user: String?, admin: Bool = false) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let user { headers[.authorization] = "Bearer \(try await key.token(subject: user, role: admin ? "admin" : "buyer"))" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: nil)
    }
}

extension TestResponse {
    var json: JSONValue? { JSONValue(json: Array(buffer: body)) }
    func string(at path: String) -> String? {
        guard case .string(let text)? = json?.value(at: path) else { return nil }
        return text
    }
}
