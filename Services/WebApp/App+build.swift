import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RedisClient
import ServiceDefaults
import ServiceLifecycle
import StateClient
import StateStores

/// The storefront's port (ARCHITECTURE.md).
let webAppDefaultPort = 5100
/// The storefront's app id: the key prefix of its sessions.
let webAppDefaultAppID = "webapp"

/// The storefront: pages over Catalog, Basket, Ordering, Identity and the model worker, with
/// sessions in the state store.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `catalog.url` (`CATALOG_URL`) | base URL of Catalog | `http://127.0.0.1:5101` |
/// | `basket.url` (`BASKET_URL`) | base URL of Basket | `http://127.0.0.1:5103` |
/// | `ordering.url` (`ORDERING_URL`) | base URL of Ordering | `http://127.0.0.1:5102` |
/// | `identity.url` (`IDENTITY_URL`) | base URL of Identity (token endpoint) | `http://127.0.0.1:5105` |
/// | `model.worker.url` (`MODEL_WORKER_URL`) | base URL of the model worker (recommendations; optional) | `http://127.0.0.1:5109` |
/// | `webapp.secure.cookies` (`WEBAPP_SECURE_COOKIES`) | `true`: the session cookie is always `Secure` (serve over HTTPS) | `false` (`Secure` only behind a proxy saying `X-Forwarded-Proto: https`) |
/// | `state.store` (`STATE_STORE`) | `redis` \| `memory` (sessions in process: tests only) | `redis` |
/// | `RedisClient.Configuration(reader:)`'s keys (`REDIS_*`) | | |
/// | and ``ServiceSettings``' keys (`HTTP_PORT` default 5100, `APP_ID` default `webapp`) | | |
func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    let settings = try ServiceSettings(reader: reader)
    var logger = Logger(label: settings.appID)
    logger.logLevel = settings.logLevel

    func client(_ name: String, url: String, variable: String, timeout: Duration = .seconds(5)) throws -> APIClient {
        guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
            throw ConfigurationError(variable: variable, problem: "is '\(url)': expected an http(s) URL")
        }
        return APIClient(name: name, baseURL: url, timeout: timeout)
    }

    let state: StateClient
    var services: [any Service] = []
    var healthChecks: [HealthCheck] = []
    switch reader.string(forKey: "state.store", default: "redis") {
    case "redis":
        let redis = RedisClient(configuration: try RedisClient.Configuration(reader: reader), logger: logger)
        state = StateClient(
            store: ResilientStateStore(RedisStateStore(client: redis, logger: logger), logger: logger), storeName: "statestore",
            appID: settings.appID)
        services = [redis]
        healthChecks = [.redis(redis)]
    case "memory":
        state = StateClient(store: MemoryStateStore(), storeName: "statestore", appID: settings.appID)
    case let other:
        throw ConfigurationError(variable: "STATE_STORE", problem: "is '\(other)': expected redis or memory")
    }

    let renderer = try await PageRenderer.bundled()
    let storefront = Storefront(
        catalog: CatalogAPI(client: try client("catalog", url: reader.string(forKey: "catalog.url", default: "http://127.0.0.1:5101"), variable: "CATALOG_URL")),
        basket: BasketAPI(client: try client("basket", url: reader.string(forKey: "basket.url", default: "http://127.0.0.1:5103"), variable: "BASKET_URL")),
        ordering: OrderingAPI(client: try client("ordering", url: reader.string(forKey: "ordering.url", default: "http://127.0.0.1:5102"), variable: "ORDERING_URL")),
        identity: IdentityAPI(client: try client("identity", url: reader.string(forKey: "identity.url", default: "http://127.0.0.1:5105"), variable: "IDENTITY_URL")),
        // Recommendations are a garnish: a slow worker must not hold the item page up.
        recommendations: RecommendationsAPI(
            client: try client("model worker", url: reader.string(forKey: "model.worker.url", default: "http://127.0.0.1:5109"), variable: "MODEL_WORKER_URL", timeout: .milliseconds(500))),
        sessions: SessionStore(state: state),
        renderer: renderer)
    let csrf = CSRFTokens(state: state)
    let errorPages = ErrorPageMiddleware(renderer: renderer)
    let sessions = SessionMiddleware(
        sessions: storefront.sessions, csrf: csrf, secureCookies: reader.bool(forKey: "webapp.secure.cookies", default: false),
        errorPages: errorPages)

    let router = Router.service(context: WebRequestContext.self, healthChecks: healthChecks)
    router.add(middleware: ContentSecurityMiddleware(contentSecurityPolicy: .storefront))
    router.add(middleware: ReferrerPolicyMiddleware())
    router.add(middleware: sessions)
    router.add(middleware: errorPages)
    router.add(middleware: CSRFMiddleware(csrf: csrf))
    // Serves `/static/…` where no route matched (the router's 404); any other unknown path
    // stays a 404, which `errorPages` answers with the HTML page.
    router.add(middleware: FileMiddleware(
        try staticFolder(), urlBasePath: "/static", cacheControl: .init([(MediaType(type: .any), [.noCache])]), logger: logger))
    let basketPages = BasketController(storefront: storefront)
    router.addRoutes(CatalogController(storefront: storefront).endpoints)
    router.addRoutes(AccountController(storefront: storefront, cookies: sessions).endpoints)
    router.addRoutes(basketPages.endpoints)
    router.addRoutes(CheckoutController(storefront: storefront, basketPages: basketPages).endpoints)
    router.addRoutes(OrdersController(storefront: storefront).endpoints)
    router.addRoutes(AdminController(storefront: storefront).endpoints)
    return Application(router: ServiceRouter(router), server: .service(), configuration: settings.applicationConfiguration, services: services, logger: logger)
}

/// The bundled `Public/` folder (`site.css`, `site.js`), served under `/static/`.
func staticFolder() throws -> String {
    guard let url = Bundle.module.url(forResource: "Public", withExtension: nil) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Public"])
    }
    return url.path
}
