import Configuration
import Foundation
import Hummingbird
import Logging
import ServiceDefaults

/// The model store's port (ARCHITECTURE.md).
let modelStoreDefaultPort = 5110
let modelStoreDefaultAppID = "model-store"

/// The model store: the files under a folder, served by Hummingbird's `FileMiddleware`, which
/// answers `Range` (206 with `Content-Range`), `If-Range`, `If-None-Match` and `HEAD`, and sends
/// an `ETag` (from the file's size and modification date). Each request is logged at INFO
/// (method, path, `Range`, status, bytes), so a test or a person can count downloads.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `model.store.dir` (`MODEL_STORE_DIR`) | folder served at `/` | `~/.cache/eshop-on-swift/models` (filled by scripts/lib/models.sh) |
/// | `model.store.throttle.bytes.per.second` (`MODEL_STORE_THROTTLE_BYTES_PER_SECOND`) | slows every response body to this rate, to watch progress or interrupt a download on purpose; 0 = full speed | 0 |
/// | and ``ServiceSettings``' keys (`HTTP_PORT` default 5110, …) | | |
func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    let settings = try ServiceSettings(reader: reader)
    let folder = reader.string(forKey: "model.store.dir", default: defaultModelStoreFolder())
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
        throw ConfigurationError(variable: "MODEL_STORE_DIR", problem: "is '\(folder)': not a folder (run scripts/fetch-models to fill it)")
    }
    var logger = Logger(label: settings.appID)
    logger.logLevel = settings.logLevel
    let router = Router.service(context: ServiceRequestContext.self, healthChecks: [])
    router.add(middleware: RequestLogMiddleware(logger: logger))
    let throttle = try reader.count(forKey: "model.store.throttle.bytes.per.second", default: 0)
    if throttle > 0 { router.add(middleware: ThrottleMiddleware(bytesPerSecond: throttle)) }
    router.add(middleware: FileMiddleware(folder, searchForIndexHtml: false, logger: logger))
    logger.info("serving model files", metadata: ["folder": "\(folder)"])
    return Application(router: ServiceRouter(router), server: .service(), configuration: settings.applicationConfiguration, logger: logger)
}

/// `~/.cache/eshop-on-swift/models` (`$XDG_CACHE_HOME` when set): where scripts/lib/models.sh unpacks models.
func defaultModelStoreFolder() -> String {
    let environment = ProcessInfo.processInfo.environment
    let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
    return cache + "/eshop-on-swift/models"
}

/// Logs every request once answered: `request method=GET path=/m/model.safetensors range=bytes=100- status=206`.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var metadata: Logger.Metadata = ["method": "\(request.method)", "path": "\(request.uri.path)"]
        if let range = request.headers[.range] { metadata["range"] = "\(range)" }
        do {
            let response = try await next(request, context)
            metadata["status"] = "\(response.status.code)"
            if let length = response.headers[.contentLength] { metadata["bytes"] = "\(length)" }
            logger.info("request", metadata: metadata)
            return response
        } catch {
            metadata["status"] = "\((error as? any HTTPResponseError)?.status.code ?? 500)"
            logger.info("request", metadata: metadata)
            throw error
        }
    }
}

/// Slows response bodies to about `bytesPerSecond`: each chunk waits for its share of time.
struct ThrottleMiddleware<Context: RequestContext>: RouterMiddleware {
    let bytesPerSecond: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let body = response.body
        let rate = Double(bytesPerSecond)
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            try await body.write(
                writer.map { chunk in
                    try await Task.sleep(for: .seconds(Double(chunk.readableBytes) / rate))
                    return chunk
                })
        }
        return response
    }
}
