import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import StateFolder

/// At start, makes the model present in `<state>/models/` (downloading it once for every
/// replica) and loads it; the outcome goes to ``ModelStatus``. A failure (quota, download,
/// checksum) leaves the worker live but not ready, with the reason on `/health/ready`.
struct ModelLoader: Service {
    let cache: ModelCache
    let manifest: ModelManifest
    let baseURL: URL
    let status: ModelStatus
    let logger: Logger

    func run() async throws {
        do {
            let files = try await cancelWhenGracefulShutdown { try await cache.prepare(manifest, baseURL: baseURL) }
            let model = try await NIOThreadPool.singleton.runIfActive { try LoadedModel(files) }
            status.set(.ready(model))
            logger.info(
                "model loaded",
                metadata: ["model.name": "\(manifest.name)", "model.version": "\(manifest.version)", "model.vocabulary": "\(model.vocabulary.count)"])
        } catch {
            status.set(.failed("\(error)"))
            logger.error("the model cannot be loaded; the worker stays not ready", metadata: ["error": "\(error)"])
        }
        try? await gracefulShutdown()  // keep the loaded model (and its in-use mark) until the service stops
    }
}
