import Configuration
import EventBus
import Foundation
import Hummingbird
import Logging
import RedisClient
import ServiceDefaults
import StateClient
import StateFolder
import StateStores

/// The model worker: the state folder, the model cache and loader, the bought-together consumer,
/// the catalog index (synced from Catalog, then following its item events on the bus), and the
/// search and recommendations APIs. Settings: ``ModelWorkerSettings``, `RedisClient.Configuration(reader:)`'s
/// keys (`REDIS_*`) and ``ServiceSettings``' keys (`HTTP_PORT` default 5109, `APP_ID` default
/// `model-worker`, the consumer group).
func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    let settings = try ServiceSettings(reader: reader)
    let worker = try ModelWorkerSettings(reader: reader)
    var logger = Logger(label: settings.appID)
    logger.logLevel = settings.logLevel

    let stateFolder = try StateFolder.open(path: worker.stateDirectory, consumerGroup: settings.appID, quotaBytes: worker.quotaBytes, logger: logger)
    let redis = RedisClient(configuration: try RedisClient.Configuration(reader: reader), logger: logger)
    let status = ModelStatus()
    let loader = ModelLoader(
        cache: ModelCache(stateFolder: stateFolder, logger: logger), manifest: worker.manifest, baseURL: worker.baseURL, status: status, logger: logger)
    let consumer = BoughtTogetherConsumer(
        groupInUse: try stateFolder.markInUse(), client: redis, stateFolder: stateFolder, streamPrefix: worker.streamPrefix, checkpoint: worker.checkpoint, lockPolicy: worker.storeLock,
        logger: logger)
    let boughtTogether = KeyedStateReader(stateFolder, store: BoughtTogether.store, stream: consumer.stream)
    let index = CatalogIndex(catalog: CatalogItemsClient(baseURL: worker.catalogURL), logger: logger)
    var busConfiguration = try RedisStreamsEventBus.Configuration(reader: reader, appID: settings.appID)
    busConfiguration.streamPrefix = worker.streamPrefix
    // Handled-event records in Redis through the state client, as every service keeps them.
    let handled = StateClient(
        store: ResilientStateStore(RedisStateStore(client: redis, logger: logger), logger: logger), storeName: "statestore", appID: settings.appID)
    let bus = RedisStreamsEventBus(client: redis, state: handled, configuration: busConfiguration, logger: logger)
    CatalogIndexer.subscribe(index, to: bus)
    let indexer = CatalogIndexer(index: index, status: status, stateFolder: stateFolder, lockPolicy: worker.storeLock, bus: bus, logger: logger)

    let router = Router(context: ServiceRequestContext.self)
    router.add(middleware: ServiceTracingMiddleware())
    router.addMetrics()
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ProblemMiddleware())
    router.addRoutes(ModelHealthController(status: status, redis: redis, index: index).endpoints)
    router.group("api/v1/recommendations").addRoutes(RecommendationsController(reader: boughtTogether, index: index).endpoints)
    router.group("api/v1/search").addRoutes(SearchController(index: index).endpoints)
    router.addRoutes(try OpenAPIDocumentController<ServiceRequestContext>(bundle: .module).endpoints)
    // Services stop in reverse order: the server, then the indexer (its bus) and the consumer
    // (committing its batch), Redis last.
    return Application(
        router: ServiceRouter(router), server: .service(), configuration: settings.applicationConfiguration, services: [redis, loader, consumer, indexer], logger: logger)
}

/// `ModelWorker clear-state`: deletes `<state>/<group>`, keeping the models; refuses while any
/// worker of the group runs (each marks the group in use).
func clearState(reader: ConfigReader) throws {
    let settings = try ServiceSettings(reader: reader)
    let worker = try ModelWorkerSettings(reader: reader)
    var logger = Logger(label: settings.appID)
    logger.logLevel = settings.logLevel
    let stateFolder = try StateFolder.open(path: worker.stateDirectory, consumerGroup: settings.appID, quotaBytes: worker.quotaBytes, logger: logger)
    try stateFolder.clearGroup(logger)
}
