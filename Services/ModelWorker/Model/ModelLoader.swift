import Foundation
import Logging
import Metrics
import NIOPosix
import ServiceLifecycle
import StateFolder

/// At start, makes the model present in `<state>/models/` (downloading it once for every
/// replica) and loads it; the outcome goes to ``ModelStatus``. A failure (quota, download,
/// checksum) leaves the worker live but not ready, with the reason on `/health/ready`, and is
/// retried after 10 s, doubling up to 5 minutes, until it succeeds or the worker stops.
struct ModelLoader: Service {
    let cache: ModelCache
    let manifest: ModelManifest
    let baseURL: URL
    let status: ModelStatus
    let logger: Logger

    func run() async throws {
        var delay = Duration.seconds(10)
        while !Task.isCancelled {
            do {
                let files = try await cancelWhenGracefulShutdown { try await cache.prepare(manifest, baseURL: baseURL) }
                let loadStart = ContinuousClock.now
                let model = try await NIOThreadPool.singleton.runIfActive { try LoadedModel(files) }
                ModelWorkerMetrics.loadDuration.record(duration: loadStart.duration(to: .now))
                status.set(.ready(model))
                logger.info(
                    "model loaded",
                    metadata: ["model.name": "\(manifest.name)", "model.version": "\(manifest.version)", "model.vocabulary": "\(model.vocabulary.count)"])
                break
            } catch {
                if let error = error as? StateFolderError, error.code == .stopped { return }
                status.set(.failed("\(error)"))
                logger.error("the model cannot be loaded; the worker stays not ready", metadata: ["error": "\(error)", "retry.in": "\(delay)"])
                do {
                    try await cancelWhenGracefulShutdown { [delay] in try await Task.sleep(for: delay) }
                } catch {
                    return
                }
                delay = min(delay * 2, .seconds(300))
            }
        }
        try? await gracefulShutdown()  // keep the loaded model (and its in-use mark) until the service stops
    }
}
