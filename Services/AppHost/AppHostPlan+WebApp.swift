import Foundation

/// The storefront, started last (after every service it calls) and shown first in the table: it
/// is what people open. Port `WEBAPP_PORT` (5100), read here like the model worker's ports.
func webAppPlan(_ settings: AppHostSettings) -> [ProcessSpec] {
    let port = ProcessInfo.processInfo.environment["WEBAPP_PORT"] ?? "5100"
    let workerPort = ProcessInfo.processInfo.environment["MODEL_WORKER_PORT"] ?? "5109"
    let url = "http://127.0.0.1:\(port)"
    return [
        ProcessSpec(
            name: "webapp", command: [settings.binaryDirectory + "/WebApp"],
            environment: redisEnvironment(settings).merging([
                "HTTP_PORT": port,
                "IDENTITY_URL": "http://127.0.0.1:\(settings.identityPort)",
                "CATALOG_URL": "http://127.0.0.1:\(settings.catalogPort)",
                "BASKET_URL": "http://127.0.0.1:\(settings.basketPort)",
                "ORDERING_URL": "http://127.0.0.1:\(settings.orderingPort)",
                "MODEL_WORKER_URL": "http://127.0.0.1:\(workerPort)",
            ]) { $1 },
            dependencies: ["redis", "identity", "catalog", "basket", "ordering"],
            readiness: .http(baseURL: url), url: url + "/", showFirst: true)
    ]
}
