import Configuration
import Hummingbird
import Logging
import ServiceDefaults

/// Basket: buyers' baskets in Redis through the state client, priced by Catalog, checked out
/// through the outbox (port 5103).
@main
struct App {
    static func main() async {
        await ServiceMain.run("basket-api") {
            let reader = try await ConfigReader.service(port: basketDefaultPort, appID: basketDefaultAppID)
            let settings = try ServiceSettings(reader: reader)
            LoggingSystem.bootstrap(format: settings.logFormat, level: settings.logLevel)
            let tracing = try TracingSettings(reader: reader, serviceName: settings.appID).bootstrap()
            try await buildApplication(reader: reader).runService(tracing: tracing)
        }
    }
}
