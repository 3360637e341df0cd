import Hummingbird
import RedisClient
import ServiceDefaults

/// `/health/live`, and `/health/ready`: 200 with the model's name and version once a verified
/// model is loaded and Redis answers; else 503 naming what is missing (the model's failure
/// reason included, e.g. the quota). Both bodies report the catalog index (`index`): its state,
/// items, and the texts embedded since start. The index is not a readiness condition: the
/// bought-together API works without it, and Catalog searches by name while search answers 503.
struct ModelHealthController: Sendable {
    let status: ModelStatus
    let redis: RedisClient
    let index: CatalogIndex

    var endpoints: RouteCollection<ServiceRequestContext> {
        let routes = RouteCollection(context: ServiceRequestContext.self)
        routes.get("health/live") { _, _ in Health(status: "live", checks: [:], model: nil, index: indexHealth) }
        routes.get("health/ready") { _, _ in try await ready() }
        return routes
    }

    struct Health: ResponseEncodable {
        struct Model: Encodable {
            var name: String
            var version: String
        }

        /// The catalog index: `state` (`waitingForModel`, `standingBy`, `syncing`, `ready`),
        /// `items` indexed, `embeddedSinceStart` (texts this process embedded) and
        /// `reusedAtStart` (vectors it found stored for the current model and kept).
        struct Index: Encodable {
            var state: String
            var items: Int
            var embeddedSinceStart: Int
            var reusedAtStart: Int
            var lastError: String?
        }

        var status: String
        var checks: [String: String]
        var model: Model?
        var index: Index
    }

    var indexHealth: Health.Index {
        let (state, lastError): (String, String?) =
            switch index.phase {
            case .waitingForModel: ("waitingForModel", nil)
            case .standingBy: ("standingBy", nil)
            case .syncing(let error): ("syncing", error)
            case .ready: ("ready", nil)
            }
        return Health.Index(
            state: state, items: index.count, embeddedSinceStart: index.embeddedSinceStart, reusedAtStart: index.reusedAtStart, lastError: lastError)
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
        return Health(status: "ready", checks: ["redis": "ok", "model": "ok"], model: model, index: indexHealth)
    }
}
