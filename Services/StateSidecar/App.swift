import Configuration
import Hummingbird
import Logging
import ServiceDefaults

/// The state sidecar: Dapr's state HTTP API (port 3500) over the stores of `COMPONENTS_PATH`.
@main
struct App {
    static func main() async {
        // Latency over throughput: Dapr's state API served from one event loop (docs/performance.md).
        await ServiceMain.run("state-sidecar", threading: .singleEventLoop) {
            let reader = try await ConfigReader.service(port: sidecarDefaultPort, appID: sidecarDefaultAppID)
            let settings = try ServiceSettings(reader: reader)
            LoggingSystem.bootstrap(format: settings.logFormat, level: settings.logLevel)
            let tracing = try TracingSettings(reader: reader, serviceName: settings.appID).bootstrap()
            try await buildApplication(reader: reader).runService(tracing: tracing)
        }
    }
}
