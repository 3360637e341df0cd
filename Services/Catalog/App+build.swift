import Configuration
import EventBus
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import RedisClient
import ServiceLifecycle
import ServiceDefaults

/// Catalog's port (ARCHITECTURE.md).
let catalogDefaultPort = 5101
/// Catalog's app id.
let catalogDefaultAppID = "catalog-api"

/// The Catalog application: migrates the `catalog` schema (and seeds it when empty), then serves
/// the catalog API (writes need an `admin` token from Identity) and takes part in the order
/// process on the event bus (``CatalogEvents``).
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `catalog.seed` (`CATALOG_SEED`) | `true` \| `false`: seed the sample catalog into an empty schema | `true` |
/// | `model.worker.url` (`MODEL_WORKER_URL`) | base URL of the model worker (semantic search) | `http://127.0.0.1:5109` |
/// | `model.worker.timeout.ms` (`MODEL_WORKER_TIMEOUT_MS`) | ms a semantic search may take before Catalog searches by name | 1000 |
/// | ``AuthSettings``' keys (`IDENTITY_URL`, `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_CLOCK_SKEW_SECONDS`) | | |
/// | `PostgresClient.Configuration(reader:)`'s keys (`POSTGRES_*`) and `RedisClient.Configuration(reader:)`'s (`REDIS_*`, the event bus) | | |
/// | and ``ServiceSettings``' keys (`HTTP_PORT` default 5101, `APP_ID` default `catalog-api`) | | |
func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    let settings = try ServiceSettings(reader: reader)
    let auth = try AuthSettings(reader: reader)
    let seed = reader.string(forKey: "catalog.seed", default: "true").lowercased()
    guard seed == "true" || seed == "false" else {
        throw ConfigurationError(variable: "CATALOG_SEED", problem: "is '\(seed)': expected true or false")
    }
    let ranking = try semanticRanking(reader: reader)
    let postgres = try PostgresClient.Configuration(reader: reader)
    var logger = Logger(label: settings.appID)
    logger.logLevel = settings.logLevel
    try await PostgresClient.withRunning(configuration: postgres, logger: logger) { [logger] client in
        try await migrateCatalog(client: client, seed: seed == "true", logger: logger)
    }
    let client = PostgresClient(configuration: postgres, backgroundLogger: logger)
    let redis = RedisClient(configuration: try RedisClient.Configuration(reader: reader), logger: logger)
    let events = CatalogEvents(
        redis: redis, postgres: client, configuration: try RedisStreamsEventBus.Configuration(reader: reader, appID: settings.appID), logger: logger)
    let router = buildRouter(
        repository: PostgresCatalogRepository(client: client, logger: logger, outboxWritten: { events.relay.wake() }),
        ranking: ranking,
        verifier: BearerTokenVerifier(settings: auth),
        openAPIDocument: try catalogOpenAPIDocument(),
        healthChecks: [.postgres(client), .redis(redis)])
    let services: [any Service] = [client, redis, events.bus, events.relay]
    return Application(router: ServiceRouter(router), server: .service(), configuration: settings.applicationConfiguration, services: services, logger: logger)
}

/// Catalog's routes: anonymous reads, admin-only writes.
func buildRouter(
    repository: any CatalogRepository, ranking: any SemanticRanking, verifier: BearerTokenVerifier, openAPIDocument: String, healthChecks: [HealthCheck]
) -> Router<ServiceRequestContext> {
    let router = Router.service(context: ServiceRequestContext.self, healthChecks: healthChecks)
    router.addRoutes(CatalogController(repository: repository).endpoints, atPath: "api/v1/catalog")
    router.addRoutes(CatalogSearchController(repository: repository, ranking: ranking).endpoints, atPath: "api/v1/catalog")
    router.group("api/v1/catalog")
        .add(middleware: BearerAuthMiddleware(verifier: verifier, role: "admin"))
        .addRoutes(CatalogAdminController(repository: repository).endpoints)
    router.addRoutes(OpenAPIDocumentController<ServiceRequestContext>(yaml: openAPIDocument).endpoints)
    return router
}

/// The model worker's search, where `MODEL_WORKER_URL` says (the worker is optional: without it
/// `withsemanticrelevance` searches by name).
func semanticRanking(reader: ConfigReader) throws -> HTTPSemanticRanking {
    let url = reader.string(forKey: "model.worker.url", default: "http://127.0.0.1:5109")
    guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
        throw ConfigurationError(variable: "MODEL_WORKER_URL", problem: "is '\(url)': expected an http(s) URL")
    }
    let timeout = try reader.count(forKey: "model.worker.timeout.ms", default: 1_000)
    return HTTPSemanticRanking(baseURL: url, timeout: .milliseconds(max(1, timeout)))
}

/// Brings the `catalog` schema up to date and, when `seed` is set and the catalog is empty,
/// fills it with the sample catalog. Safe to run from several replicas at once.
func migrateCatalog(client: PostgresClient, seed: Bool, logger: Logger) async throws {
    try await CatalogMigrations.migrator.migrate(client: client, logger: logger) { connection in
        if seed { try await CatalogSeed.seedIfEmpty(on: connection, logger: logger) }
    }
}

/// The committed OpenAPI document (`Services/Catalog/openapi.yaml`, a bundled resource).
func catalogOpenAPIDocument() throws -> String {
    guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "openapi.yaml"])
    }
    return try String(contentsOf: url, encoding: .utf8)
}
