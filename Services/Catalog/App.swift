import Configuration
import Hummingbird
import Logging
import ServiceDefaults

/// Catalog: products, brands, types and pictures in PostgreSQL (port 5101).
@main
struct App {
    static func main() async {
        await ServiceMain.run("catalog-api") {
            let reader = try await ConfigReader.service(port: catalogDefaultPort, appID: catalogDefaultAppID)
            let settings = try ServiceSettings(reader: reader)
            LoggingSystem.bootstrap(format: settings.logFormat, level: settings.logLevel)
            let tracing = try TracingSettings(reader: reader, serviceName: settings.appID).bootstrap()
            try await buildApplication(reader: reader).runService(tracing: tracing)
        }
    }
}
