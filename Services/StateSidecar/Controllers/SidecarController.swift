import Hummingbird
import StateClient

/// The sidecar's own endpoints: `GET /v1.0/healthz`, `GET /v1.0/healthz/outbound` and
/// `GET /v1.0/metadata`.
struct SidecarController: Sendable {
    let stores: [String: StateClient]
    let appID: String
    let components: [String: SidecarComponent]

    var endpoints: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get("v1.0/healthz") { _, _ in Response(status: .noContent) }
        // Dapr's readiness of the sidecar's outbound APIs, which its SDKs wait for before their
        // first call; ours are ready once the sidecar listens.
        routes.get("v1.0/healthz/outbound") { _, _ in Response(status: .noContent) }
        routes.get("v1.0/metadata", use: metadata)
        return routes
    }

    /// `{"id":"<app id>","components":[{"name","type","version","capabilities":[…]}]}`, components
    /// by name; capabilities are Dapr's feature names, plus `ACTOR` with ETAG and TRANSACTIONAL.
    @Sendable func metadata(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let entries = stores.keys.sorted().map { name in
            let names = stores[name]?.store.capabilities.metadataNames ?? []
            let component = components[name] ?? SidecarComponent(type: "state.in-memory", version: "v1")
            return RawJSON.object([
                ("name", RawJSON.string(name)), ("type", RawJSON.string(component.type)), ("version", RawJSON.string(component.version)),
                ("capabilities", "[" + names.map(RawJSON.string).joined(separator: ",") + "]"),
            ])
        }
        return StateController.json(RawJSON.object([("id", RawJSON.string(appID)), ("components", "[" + entries.joined(separator: ",") + "]")]))
    }
}

extension StateStoreCapabilities {
    /// What the metadata APIs report: Dapr's feature names, plus `ACTOR` with ETAG and TRANSACTIONAL.
    var metadataNames: [String] {
        var names = daprFeatureNames
        if isSuperset(of: [.etag, .transactional]) { names.append("ACTOR") }
        return names
    }
}
