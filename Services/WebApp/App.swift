import Configuration
import HTTPTypes
import Hummingbird
import Logging
import ServiceDefaults

/// WebApp: the storefront, server-rendered HTML over the services' APIs (port 5100).
@main
struct App {
    static func main() async {
        await ServiceMain.run("webapp") {
            let reader = try await ConfigReader.service(port: webAppDefaultPort, appID: webAppDefaultAppID)
            let settings = try ServiceSettings(reader: reader)
            LoggingSystem.bootstrap(format: settings.logFormat, level: settings.logLevel)
            let tracing = try TracingSettings(reader: reader, serviceName: settings.appID).bootstrap()
            try await buildApplication(reader: reader).runService(tracing: tracing)
        }
    }
}
