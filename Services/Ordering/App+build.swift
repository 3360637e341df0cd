import Configuration
import EventBus
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import RedisClient
import ServiceDefaults
import StateClient
import StateStores

/// Ordering's port (ARCHITECTURE.md).
let orderingDefaultPort = 5102
/// Ordering's app id: its state key prefix and consumer group.
let orderingDefaultAppID = "ordering-api"

/// The Ordering application: orders in the order store (PostgreSQL, Dapr's `state.postgresql`
/// layout: table `state`, metadata table `dapr_metadata`, the table the `orderstore` component
/// names) through the state client; the event bus on Redis with its subscriptions; the relay of
/// the order store's outbox; the grace-period timer.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `ordering.grace.period.seconds` (`ORDERING_GRACE_PERIOD_SECONDS`) | seconds a buyer may cancel before stock is checked | 60 |
/// | `ordering.timer.poll.milliseconds` (`ORDERING_TIMER_POLL_MILLISECONDS`) | how often due grace periods are looked for | 1000 |
/// | ``AuthSettings``' keys (`IDENTITY_URL`, `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_CLOCK_SKEW_SECONDS`) | | |
/// | `PostgresClient.Configuration(reader:)`'s keys (`POSTGRES_*`) and `RedisClient.Configuration(reader:)`'s (`REDIS_*`) | | |
/// | and ``ServiceSettings``' keys (`HTTP_PORT` default 5102, `APP_ID` default `ordering-api`) | | |
func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    let settings = try ServiceSettings(reader: reader)
    let auth = try AuthSettings(reader: reader)
    let gracePeriod = Duration.seconds(try reader.count(forKey: "ordering.grace.period.seconds", default: 60))
    let pollInterval = Duration.milliseconds(max(10, try reader.count(forKey: "ordering.timer.poll.milliseconds", default: 1_000)))
    var logger = Logger(label: settings.appID)
    logger.logLevel = settings.logLevel

    let postgresConfiguration = try PostgresClient.Configuration(reader: reader)
    // The tables exist before the relay and the timer first look at them.
    try await PostgresClient.withRunning(configuration: postgresConfiguration, logger: logger) { [logger] client in
        try await PostgresStateStore(client: client, tableName: "state", metadataTableName: "dapr_metadata", logger: logger).migrate()
    }
    let redis = RedisClient(configuration: try RedisClient.Configuration(reader: reader), logger: logger)
    let postgres = PostgresClient(configuration: postgresConfiguration, backgroundLogger: logger)
    let orderStore = PostgresStateStore(client: postgres, tableName: "state", metadataTableName: "dapr_metadata", logger: logger)
    let resilience = ResilientStateStore.Policy(attemptTimeout: ResilientStateStore.postgresAttemptTimeout)
    let orders = StateClient(store: ResilientStateStore(orderStore, policy: resilience, logger: logger), storeName: "orderstore", appID: settings.appID)
    // Handled-event records live beside the bus in Redis, as in every service.
    let handled = StateClient(
        store: ResilientStateStore(RedisStateStore(client: redis, logger: logger), logger: logger), storeName: "statestore", appID: settings.appID)
    let bus = RedisStreamsEventBus(client: redis, state: handled, configuration: try RedisStreamsEventBus.Configuration(reader: reader, appID: settings.appID), logger: logger)
    let outbox = StateOutbox(state: orders)
    let relay = OutboxRelay(outbox: outbox, bus: bus, logger: logger)
    let service = OrderingService(repository: OrderRepository(outbox: outbox), gracePeriod: gracePeriod, wakeRelay: { relay.wake() }, logger: logger)
    service.subscribe(to: bus)
    let timer = GracePeriodTimer(service: service, pollInterval: pollInterval, logger: logger)
    let router = buildRouter(
        service: service, verifier: BearerTokenVerifier(settings: auth), openAPIDocument: try orderingOpenAPIDocument(),
        healthChecks: [.redis(redis), .postgres(postgres)])
    // Services stop in reverse order: the server first, then the timer, relay and bus, the clients last.
    return Application(
        router: ServiceRouter(router), server: .service(), configuration: settings.applicationConfiguration,
        services: [redis, postgres, orderStore, bus, relay, timer], logger: logger)
}

/// Ordering's routes: every order route needs a bearer token.
func buildRouter(service: OrderingService, verifier: BearerTokenVerifier, openAPIDocument: String, healthChecks: [HealthCheck]) -> Router<ServiceRequestContext> {
    let router = Router.service(context: ServiceRequestContext.self, healthChecks: healthChecks)
    router.group("api/v1/orders")
        .add(middleware: BearerAuthMiddleware(verifier: verifier))
        .add(middleware: StateStoreErrorMiddleware(subject: "order"))
        .addRoutes(OrderController(service: service).endpoints)
    router.addRoutes(OpenAPIDocumentController<ServiceRequestContext>(yaml: openAPIDocument).endpoints)
    return router
}

extension OrderingService {
    /// Ordering's subscriptions: a checkout creates the order; Catalog's and Payment's answers move it.
    func subscribe(to bus: any EventBus) {
        bus.subscribe(UserCheckoutAccepted.self) { event in try await checkoutAccepted(event) }
        bus.subscribe(OrderStockConfirmed.self) { event in try await handle(event.orderId, .stockConfirmed) }
        bus.subscribe(OrderStockRejected.self) { event in
            try await handle(event.orderId, .stockRejected(productIds: event.orderStockItems.filter { !$0.hasStock }.map(\.productId)))
        }
        bus.subscribe(OrderPaymentSucceeded.self) { event in try await handle(event.orderId, .paymentSucceeded) }
        bus.subscribe(OrderPaymentFailed.self) { event in try await handle(event.orderId, .paymentFailed) }
    }
}

/// The committed OpenAPI document (`Services/Ordering/openapi.yaml`, a bundled resource).
func orderingOpenAPIDocument() throws -> String {
    guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "openapi.yaml"])
    }
    return try String(contentsOf: url, encoding: .utf8)
}
