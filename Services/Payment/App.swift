import Configuration
import Hummingbird
import Logging
import ServiceDefaults

/// Payment: charges validated orders (simulated) and answers with the outcome (port 5108).
@main
struct App {
    static func main() async {
        await ServiceMain.run("payment-api") {
            let reader = try await ConfigReader.service(port: paymentDefaultPort, appID: paymentDefaultAppID)
            let settings = try ServiceSettings(reader: reader)
            LoggingSystem.bootstrap(format: settings.logFormat, level: settings.logLevel)
            let tracing = try TracingSettings(reader: reader, serviceName: settings.appID).bootstrap()
            try await buildApplication(reader: reader).runService(tracing: tracing)
        }
    }
}
