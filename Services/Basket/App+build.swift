import Configuration
import EventBus
import Foundation
import Hummingbird
import Logging
import RedisClient
import ServiceDefaults
import StateClient
import StateStores

/// Basket's port (ARCHITECTURE.md).
let basketDefaultPort = 5103
/// Basket's app id: its state key prefix and consumer group.
let basketDefaultAppID = "basket-api"

/// The Basket application: the basket API over Redis (state client), the event bus with its
/// subscriptions, and the relay of the outbox checkout writes to.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `catalog.url` (`CATALOG_URL`) | base URL of Catalog (prices, names, pictures) | `http://127.0.0.1:5101` |
/// | `basket.ttl.seconds` (`BASKET_TTL_SECONDS`) | seconds an untouched basket is kept | 2592000 (30 days) |
/// | `basket.price.cache.seconds` (`BASKET_PRICE_CACHE_SECONDS`) | seconds a catalog price is reused | 30 |
/// | ``AuthSettings``' keys (`IDENTITY_URL`, `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_CLOCK_SKEW_SECONDS`) | | |
/// | `RedisClient.Configuration(reader:)`'s keys (`REDIS_*`) | | |
/// | and ``ServiceSettings``' keys (`HTTP_PORT` default 5103, `APP_ID` default `basket-api`) | | |
func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    let settings = try ServiceSettings(reader: reader, defaultPort: basketDefaultPort, defaultAppID: basketDefaultAppID)
    let auth = try AuthSettings(reader: reader)
    let catalogURL = reader.string(forKey: "catalog.url", default: "http://127.0.0.1:5101")
    guard let parsed = URL(string: catalogURL), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
        throw ConfigurationError(variable: "CATALOG_URL", problem: "is '\(catalogURL)': expected an http(s) URL")
    }
    let ttl = try reader.count(forKey: "basket.ttl.seconds", default: 30 * 24 * 3_600)
    let priceCacheSeconds = try reader.count(forKey: "basket.price.cache.seconds", default: 30)
    var logger = Logger(label: settings.appID)
    logger.logLevel = settings.logLevel

    let redis = RedisClient(configuration: try RedisClient.Configuration(reader: reader), logger: logger)
    let state = StateClient(
        store: ResilientStateStore(RedisStateStore(client: redis, logger: logger), logger: logger), storeName: "statestore", appID: settings.appID)
    let bus = RedisStreamsEventBus(client: redis, state: state, configuration: .init(appID: settings.appID), logger: logger)
    let outbox = StateOutbox(state: state)
    let relay = OutboxRelay(outbox: outbox, bus: bus, logger: logger)
    let service = BasketService(
        repository: BasketRepository(state: state, ttlInSeconds: ttl),
        catalog: CachedProductCatalog(HTTPProductCatalog(baseURL: catalogURL), lifetime: .seconds(priceCacheSeconds)),
        outbox: outbox, wakeRelay: { relay.wake() }, logger: logger)
    service.subscribe(to: bus)
    let router = buildRouter(
        service: service, verifier: BearerTokenVerifier(settings: auth), openAPIDocument: try basketOpenAPIDocument(), healthChecks: [.redis(redis)])
    // Services stop in reverse order: the server first, then the relay and the bus, Redis last.
    return Application(router: router, configuration: settings.applicationConfiguration, services: [redis, bus, relay], logger: logger)
}

/// Basket's routes: every basket route needs a bearer token.
func buildRouter(service: BasketService, verifier: BearerTokenVerifier, openAPIDocument: String, healthChecks: [HealthCheck]) -> Router<ServiceRequestContext> {
    let router = Router.service(context: ServiceRequestContext.self, healthChecks: healthChecks)
    router.group("api/v1/basket")
        .add(middleware: BearerAuthMiddleware(verifier: verifier))
        .add(middleware: UnavailableDependencyMiddleware())
        .addRoutes(BasketController(service: service).endpoints)
    router.addRoutes(OpenAPIDocumentController<ServiceRequestContext>(yaml: openAPIDocument).endpoints)
    return router
}

extension BasketService {
    /// Basket's subscriptions: a submitted order clears what its checkout took; a price change
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
