import Foundation

/// The model store and the model worker, whose state folder is `<data>/model-worker/state`. The
/// store serves `MODEL_STORE_DIR` (scripts/lib/models.sh fills it); the worker downloads the
/// model from it on its first run, and indexes Catalog's items (`CATALOG_URL`). Ports:
/// `MODEL_STORE_PORT` (5110) and `MODEL_WORKER_PORT` (5109), read here so this plan stays apart
/// from the shared settings.
func modelWorkerPlan(_ settings: AppHostSettings) -> [ProcessSpec] {
    let storePort = ProcessInfo.processInfo.environment["MODEL_STORE_PORT"] ?? "5110"
    let storeURL = "http://127.0.0.1:\(storePort)"
    let workerURL = modelWorkerURL()
    let workerPort = String(workerURL.split(separator: ":").last ?? "5109")
    return [
        ProcessSpec(
            name: "model-store", command: [settings.binaryDirectory + "/ModelStore"], environment: ["HTTP_PORT": storePort],
            readiness: .http(baseURL: storeURL), url: storeURL + "/all-MiniLM-L6-v2/config.json"),
        ProcessSpec(
            name: "model-worker", command: [settings.binaryDirectory + "/ModelWorker"],
            environment: redisEnvironment(settings).merging([
                "HTTP_PORT": workerPort, "STATE_DIR": settings.dataDirectory + "/model-worker/state", "MODEL_BASE_URL": storeURL + "/all-MiniLM-L6-v2/",
                "CATALOG_URL": "http://127.0.0.1:\(settings.catalogPort)",
            ]) { $1 },
            dependencies: ["redis", "model-store", "catalog"], readiness: .http(baseURL: workerURL),
            url: workerURL + "/api/v1/search?text=something%20warm%20for%20my%20head"),
    ]
}

/// Where the model worker listens (`MODEL_WORKER_PORT`, default 5109): Catalog's `MODEL_WORKER_URL`.
func modelWorkerURL() -> String {
    "http://127.0.0.1:\(ProcessInfo.processInfo.environment["MODEL_WORKER_PORT"] ?? "5109")"
}
