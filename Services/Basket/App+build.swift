import Configuration
import EventBus
import Foundation
import Hummingbird
import Logging
import RedisClient
import ServiceDefaults
import StateClient
import ServiceLifecycle
import StateStores

/// Basket's port (ARCHITECTURE.md).
let basketDefaultPort = 5103
/// Basket's app id: its state key prefix and consumer group.
let basketDefaultAppID = "basket-api"

/// The Basket application: the basket API over the state client, the event bus with its
/// subscriptions, and the relay of the outbox checkout writes to.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `state.store` (`STATE_STORE`) | `redis` \| `memory` (baskets, outbox and events in process: tests only) | `redis` |
/// | `catalog.url` (`CATALOG_URL`) | base URL of Catalog (prices, names, pictures) | `http://127.0.0.1:5101` |
/// | `basket.ttl.seconds` (`BASKET_TTL_SECONDS`) | seconds an untouched basket is kept | 2592000 (30 days) |
/// | `basket.price.cache.seconds` (`BASKET_PRICE_CACHE_SECONDS`) | seconds a catalog price is reused | 30 |
/// | ``AuthSettings``' keys (`IDENTITY_URL`, `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_CLOCK_SKEW_SECONDS`, `JWT_JWKS`) | | |
/// | `RedisClient.Configuration(reader:)`'s keys (`REDIS_*`) | | |
/// | and ``ServiceSettings``' keys (`HTTP_PORT` default 5103, `APP_ID` default `basket-api`) | | |
func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    buildApplication(try BasketDependencies(reader: reader))
}

/// Basket wired over `dependencies`: the service, its subscriptions, the outbox relay and the routes.
func buildApplication(_ dependencies: BasketDependencies) -> some ApplicationProtocol {
    let outbox = StateOutbox(state: dependencies.state)
    let relay = OutboxRelay(outbox: outbox, bus: dependencies.bus, logger: dependencies.logger)
    let service = BasketService(
        repository: BasketRepository(state: dependencies.state, outbox: outbox, ttlInSeconds: dependencies.basketTTLInSeconds),
        catalog: CachedProductCatalog(dependencies.catalog, lifetime: dependencies.priceCacheLifetime),
        wakeRelay: { relay.wake() }, logger: dependencies.logger)
    service.subscribe(to: dependencies.bus)
    let router = Router.service(context: ServiceRequestContext.self, healthChecks: dependencies.healthChecks)
    router.group("api/v1/basket")
        .add(middleware: BearerAuthMiddleware(verifier: dependencies.verifier))
        .add(middleware: StateStoreErrorMiddleware(subject: "basket"))
        .add(middleware: CatalogErrorStatusMiddleware())
        .addRoutes(BasketController(service: service).endpoints)
    router.addRoutes(OpenAPIDocumentController<ServiceRequestContext>(yaml: dependencies.openAPIDocument).endpoints)
    // Services stop in reverse order: the server first, then the relay and the bus, Redis last.
    return Application(
        router: ServiceRouter(router), server: .service(), configuration: dependencies.settings.applicationConfiguration,
        services: dependencies.clients + [dependencies.bus, relay], logger: dependencies.logger)
}

/// What Basket talks to, chosen from the configuration in one place.
struct BasketDependencies: Sendable {
    var settings: ServiceSettings
    var logger: Logger
    var state: StateClient
    var bus: any EventBus
    var catalog: any ProductCatalog
    var verifier: BearerTokenVerifier
    /// Long-lived clients the application runs before the bus (Redis).
    var clients: [any Service]
    var healthChecks: [HealthCheck]
    var basketTTLInSeconds: Int
    var priceCacheLifetime: Duration
    var openAPIDocument: String

    init(reader: ConfigReader) throws {
        settings = try ServiceSettings(reader: reader)
        logger = Logger(label: settings.appID)
        logger.logLevel = settings.logLevel
        let catalogURL = reader.string(forKey: "catalog.url", default: "http://127.0.0.1:5101")
        guard let parsed = URL(string: catalogURL), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
            throw ConfigurationError(variable: "CATALOG_URL", problem: "is '\(catalogURL)': expected an http(s) URL")
        }
        catalog = HTTPProductCatalog(baseURL: catalogURL)
        basketTTLInSeconds = try reader.count(forKey: "basket.ttl.seconds", default: 30 * 24 * 3_600)
        priceCacheLifetime = .seconds(try reader.count(forKey: "basket.price.cache.seconds", default: 30))
        verifier = BearerTokenVerifier(settings: try AuthSettings(reader: reader))
        openAPIDocument = try basketOpenAPIDocument()
        switch reader.string(forKey: "state.store", default: "redis") {
        case "redis":
            let redis = RedisClient(configuration: try RedisClient.Configuration(reader: reader), logger: logger)
            state = StateClient(
                store: ResilientStateStore(RedisStateStore(client: redis, logger: logger), logger: logger), storeName: "statestore", appID: settings.appID)
            bus = RedisStreamsEventBus(client: redis, state: state, configuration: .init(appID: settings.appID), logger: logger)
            clients = [redis]
            healthChecks = [.redis(redis)]
        case "memory":
            state = StateClient(store: MemoryStateStore(), storeName: "statestore", appID: settings.appID)
            bus = InMemoryEventBus(appID: settings.appID)
            clients = []
            healthChecks = []
        case let other:
            throw ConfigurationError(variable: "STATE_STORE", problem: "is '\(other)': expected redis or memory")
        }
    }
}

extension BasketService {
    /// Basket's subscriptions: a submitted order deletes the basket its checkout emptied; a price change
    /// drops the cached price.
    func subscribe(to bus: any EventBus) {
        bus.subscribe(OrderStatusChangedToSubmitted.self) { event in
            try await orderSubmitted(buyerId: event.buyerId, orderId: event.orderId)
        }
        bus.subscribe(ProductPriceChanged.self) { event in
            priceChanged(productId: event.productId)
        }
    }
}

/// The committed OpenAPI document (`Services/Basket/openapi.yaml`, a bundled resource).
func basketOpenAPIDocument() throws -> String {
    guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "openapi.yaml"])
    }
    return try String(contentsOf: url, encoding: .utf8)
}
