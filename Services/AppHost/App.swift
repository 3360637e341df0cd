import Configuration
import Logging
import ServiceDefaults
import ServiceLifecycle

/// `scripts/run`'s process manager: starts the stores and every service, prints their table,
/// and stops them all on Ctrl-C.
@main
struct App {
    static func main() async {
        await ServiceMain.run("apphost") {
            let reader = try await ConfigReader.service()
            let settings = try AppHostSettings(reader: reader)
            LoggingSystem.bootstrap(format: .text, level: try reader.logLevel(default: .warning))
            let logger = Logger(label: "apphost")
            let specs = try startOrder(appHostPlan(settings) + modelWorkerPlan(settings) + webAppPlan(settings))
            let host = AppHost(
                settings: settings, specs: specs, logger: logger,
                output: LineOutput(nameWidth: specs.map(\.name.count).max() ?? 0))
            var quietLogger = logger
            quietLogger.logLevel = .critical  // ServiceMain reports a failure once; the group need not too
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: host)],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: quietLogger))
            try await group.run()
        }
    }
}
