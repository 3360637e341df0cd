import Configuration
import EventBus
import Foundation
import Hummingbird
import Logging
import RedisClient
import ServiceDefaults
import StateClient
import StateStores

/// Payment's port (ARCHITECTURE.md).
let paymentDefaultPort = 5108
/// Payment's app id: its state key prefix and consumer group.
let paymentDefaultAppID = "payment-api"

/// The Payment application: the event bus with its one subscription (`OrderStatusChangedToValidated`),
/// the payment records and outbox in Redis through the state client, and an HTTP server for the
/// health endpoints only.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `payment.fail.above.total` (`PAYMENT_FAIL_ABOVE_TOTAL`) | a decimal: refuse orders whose total is above it | none: every payment succeeds |
/// | `RedisClient.Configuration(reader:)`'s keys (`REDIS_*`) | | |
/// | and ``ServiceSettings``' keys (`HTTP_PORT` default 5108, `APP_ID` default `payment-api`) | | |
func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    let settings = try ServiceSettings(reader: reader)
    let rule = try PaymentRule(reader: reader)
    var logger = Logger(label: settings.appID)
    logger.logLevel = settings.logLevel

    let redis = RedisClient(configuration: try RedisClient.Configuration(reader: reader), logger: logger)
    let state = StateClient(
        store: ResilientStateStore(RedisStateStore(client: redis, logger: logger), logger: logger), storeName: "statestore", appID: settings.appID)
    let bus = RedisStreamsEventBus(client: redis, state: state, configuration: try RedisStreamsEventBus.Configuration(reader: reader, appID: settings.appID), logger: logger)
    let outbox = StateOutbox(state: state)
    let relay = OutboxRelay(outbox: outbox, bus: bus, logger: logger)
    let service = PaymentService(rule: rule, outbox: outbox, wakeRelay: { relay.wake() }, logger: logger)
    bus.subscribe(OrderStatusChangedToValidated.self) { event in try await service.charge(event) }
    let router = Router.service(context: ServiceRequestContext.self, healthChecks: [.redis(redis)])
    router.addRoutes(try OpenAPIDocumentController<ServiceRequestContext>(bundle: .module).endpoints)
    return Application(router: ServiceRouter(router), server: .service(), configuration: settings.applicationConfiguration, services: [redis, bus, relay], logger: logger)
}

extension PaymentRule {
    /// `PAYMENT_FAIL_ABOVE_TOTAL` unset: ``alwaysSucceed``; a decimal: ``failAbove(_:)``.
    init(reader: ConfigReader) throws(ConfigurationError) {
        guard let text = reader.string(forKey: "payment.fail.above.total") else {
            self = .alwaysSucceed
            return
        }
        guard let limit = Decimal(string: text.trimmingCharacters(in: .whitespaces), locale: Locale(identifier: "en_US_POSIX")), limit >= 0 else {
            throw ConfigurationError(variable: "PAYMENT_FAIL_ABOVE_TOTAL", problem: "is '\(text)': expected a decimal number ≥ 0")
        }
        self = .failAbove(limit)
    }
}
