import Configuration
import Hummingbird
import Logging
import ServiceDefaults

/// Identity: OAuth 2.0 password-grant tokens (ES256 JWTs) for the seeded users (port 5105).
@main
struct App {
    static func main() async {
        await ServiceMain.run("identity-api") {
            let reader = try await ConfigReader.service(port: identityDefaultPort, appID: identityDefaultAppID)
            let settings = try ServiceSettings(reader: reader)
            LoggingSystem.bootstrap(format: settings.logFormat, level: settings.logLevel)
            let tracing = try TracingSettings(reader: reader, serviceName: settings.appID).bootstrap()
            try await buildApplication(reader: reader).runService(tracing: tracing)
        }
    }
}
