import Configuration
import Hummingbird
import Logging
import ServiceDefaults

/// Ordering: orders in PostgreSQL through the state client, moved through the order process by
/// events and the grace-period timer (port 5102).
@main
struct App {
    static func main() async {
        await ServiceMain.run("ordering-api") {
            let reader = try await ConfigReader.service(port: orderingDefaultPort, appID: orderingDefaultAppID)
            let settings = try ServiceSettings(reader: reader)
            LoggingSystem.bootstrap(format: settings.logFormat, level: settings.logLevel)
            let tracing = try TracingSettings(reader: reader, serviceName: settings.appID).bootstrap()
            try await buildApplication(reader: reader).runService(tracing: tracing)
        }
    }
}
