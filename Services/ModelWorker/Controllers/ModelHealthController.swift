import Hummingbird
import RedisClient
import ServiceDefaults

/// `/health/live`, and `/health/ready`: 200 with the model's name and version once a verified
/// model is loaded and Redis answers; else 503 naming what is missing (the model's failure
/// reason included, e.g. the quota).
struct ModelHealthController: Sendable {
    let status: ModelStatus
    let redis: RedisClient

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get("health/live") { _, _ in Health(status: "live", checks: [:], model: nil) }
        routes.get("health/ready") { _, _ in try await ready() }
        return routes
    }

    struct Health: ResponseEncodable {
        struct Model: Encodable {
            var name: String
            var version: String
        }

        var status: String
        var checks: [String: String]
        var model: Model?
    }

    func ready() async throws -> Health {
        var failures: [String: [String]] = [:]
        do {
            try await redis.ping()
        } catch {
            failures["redis"] = ["\(error)"]
        }
        var model: Health.Model?
        switch status.current {
        case .loading: failures["model"] = ["the model is being downloaded or verified"]
        case .failed(let reason): failures["model"] = [reason]
        case .ready(let loaded): model = Health.Model(name: loaded.files.name, version: loaded.files.version)
        }
        guard failures.isEmpty, let model else {
            throw ProblemDetails(
                .serviceUnavailable, detail: "not ready: " + failures.keys.sorted().joined(separator: ", "), errors: failures, retryAfterSeconds: 1)
        }
        return Health(status: "ready", checks: ["redis": "ok", "model": "ok"], model: model)
    }
}
