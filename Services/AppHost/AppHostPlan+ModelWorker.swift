import Foundation

/// The model store and the model worker, whose state folder is `<data>/model-worker/state`. The
/// store serves `MODEL_STORE_DIR` (scripts/lib/models.sh fills it); the worker downloads the
/// model from it on its first run. Ports: `MODEL_STORE_PORT` (5110) and `MODEL_WORKER_PORT`
/// (5109), read here so this plan stays apart from the shared settings.
func modelWorkerPlan(_ settings: AppHostSettings) -> [ProcessSpec] {
    let environment = ProcessInfo.processInfo.environment
    let storePort = environment["MODEL_STORE_PORT"] ?? "5110"
    let workerPort = environment["MODEL_WORKER_PORT"] ?? "5109"
    let storeURL = "http://127.0.0.1:\(storePort)"
    let workerURL = "http://127.0.0.1:\(workerPort)"
    return [
        ProcessSpec(
            name: "model-store", command: [settings.binaryDirectory + "/ModelStore"], environment: ["HTTP_PORT": storePort],
            readiness: .http(baseURL: storeURL), url: storeURL + "/all-MiniLM-L6-v2/config.json"),
        ProcessSpec(
            name: "model-worker", command: [settings.binaryDirectory + "/ModelWorker"],
            environment: redisEnvironment(settings).merging([
                "HTTP_PORT": workerPort, "STATE_DIR": settings.dataDirectory + "/model-worker/state", "MODEL_BASE_URL": storeURL + "/all-MiniLM-L6-v2/",
            ]) { $1 },
            dependencies: ["redis", "model-store"], readiness: .http(baseURL: workerURL), url: workerURL + "/api/v1/recommendations/1"),
    ]
}
