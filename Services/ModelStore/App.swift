import Configuration
import Hummingbird
import Logging
import ServiceDefaults

/// The model store: model files over HTTP with Range and ETag (port 5110), for the model worker.
@main
struct App {
    static func main() async {
        await ServiceMain.run("model-store") {
            let reader = try await ConfigReader.service(port: modelStoreDefaultPort, appID: modelStoreDefaultAppID)
            let settings = try ServiceSettings(reader: reader)
            LoggingSystem.bootstrap(format: settings.logFormat, level: settings.logLevel)
            let tracing = try TracingSettings(reader: reader, serviceName: settings.appID).bootstrap()
            try await buildApplication(reader: reader).runService(tracing: tracing)
        }
    }
}
