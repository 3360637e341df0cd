import ArgumentParser
import Configuration
import Hummingbird
import Logging
import ServiceDefaults

/// The model worker (port 5109): caches the model in its state folder and keeps "bought
/// together" counts of paid orders in keyed state.
///
/// ```
/// ModelWorker                 serve (the default)
/// ModelWorker clear-state     delete the keyed state of the consumer group, keep the models
/// ```
@main
struct ModelWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ModelWorker",
        abstract: "The model worker: model files in the state folder, bought-together counts in keyed state.",
        subcommands: [Serve.self, ClearState.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve HTTP, download the model and consume paid orders (settings from the environment).")

    func run() async throws {
        await ServiceMain.run(modelWorkerDefaultAppID) {
            let reader = try await ConfigReader.service(port: modelWorkerDefaultPort, appID: modelWorkerDefaultAppID)
            let settings = try ServiceSettings(reader: reader)
            LoggingSystem.bootstrap(format: settings.logFormat, level: settings.logLevel)
            let tracing = try TracingSettings(reader: reader, serviceName: settings.appID).bootstrap()
            try await buildApplication(reader: reader).runService(tracing: tracing)
        }
    }
}

struct ClearState: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear-state",
        abstract: "Delete the keyed state of the worker's consumer group (<state>/<group>); keep the models. Refuses while a worker runs.")

    func run() async throws {
        await ServiceMain.run("\(modelWorkerDefaultAppID) clear-state") {
            let reader = try await ConfigReader.service(port: modelWorkerDefaultPort, appID: modelWorkerDefaultAppID)
            let settings = try ServiceSettings(reader: reader)
            LoggingSystem.bootstrap(format: settings.logFormat, level: settings.logLevel)
            try clearState(reader: reader)
        }
    }
}
