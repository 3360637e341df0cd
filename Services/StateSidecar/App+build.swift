import Configuration
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import Logging
import ServiceDefaults
import StateClient
import StateStores

/// Dapr's default HTTP port.
let sidecarDefaultPort = 3500
/// Dapr's default gRPC port.
let sidecarDefaultGRPCPort = 50001
/// The app id whose keys the sidecar reads and writes when `APP_ID` is not set.
let sidecarDefaultAppID = "sidecar"

/// The sidecar application.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `components.path` (`COMPONENTS_PATH`) | folder of Dapr component YAML files | `components` |
/// | `state.max.body.bytes` (`STATE_MAX_BODY_BYTES`) | bytes; larger HTTP bodies get 413, larger gRPC messages are refused | 4 MiB |
/// | `dapr.grpc.port` (`DAPR_GRPC_PORT`) | port of Dapr's gRPC API, on `HTTP_HOST` | 50001 |
/// | `dapr.api.token` (`DAPR_API_TOKEN`) | string; when set, every call but the health checks must carry it | none |
/// | and ``ServiceSettings``' keys (`HTTP_PORT` default 3500, `APP_ID` default `sidecar`) | | |
func buildApplication(reader: ConfigReader) async throws -> some ApplicationProtocol {
    let settings = try ServiceSettings(reader: reader)
    let componentsPath = reader.string(forKey: "components.path", default: "components")
    let maxBodyBytes = try reader.count(forKey: "state.max.body.bytes", default: 4 * 1024 * 1024)
    let grpcPort = try reader.port(forKey: "dapr.grpc.port", default: sidecarDefaultGRPCPort)
    let apiToken = APIToken(reader.string(forKey: "dapr.api.token", default: ""))
    var logger = Logger(label: settings.appID)
    logger.logLevel = settings.logLevel
    let stores = try StateComponent.loadAll(from: componentsPath).map { component throws(ComponentError) in
        try ComponentStore(component: component, logger: logger)
    }
    var clients: [String: StateClient] = [:]
    var components: [String: SidecarComponent] = [:]
    for store in stores {
        clients[store.component.name] = store.client(appID: settings.appID)
        components[store.component.name] = SidecarComponent(store)
    }
    let router = buildRouter(stores: clients, appID: settings.appID, maxBodyBytes: maxBodyBytes, components: components, apiToken: apiToken)
    // `GET /openapi.yaml`: the HTTP API's document (Services/StateSidecar/openapi.yaml).
    router.addRoutes(try OpenAPIDocumentController<BasicRequestContext>(bundle: .module).endpoints)
    let transport = HTTP2ServerTransport.Posix(
        address: grpcAddress(host: settings.host, port: grpcPort), transportSecurity: .plaintext,
        config: .defaults { $0.rpc.maxRequestPayloadSize = maxBodyBytes })
    let grpcServer = GRPCServer(
        transport: UnimplementedRPCTransport(base: transport, served: Set(Dapr_Proto_Runtime_V1_Dapr.Method.descriptors)),
        services: [DaprGRPCService(stores: clients, appID: settings.appID, components: components, logger: logger)],
        interceptors: apiToken.map { [APITokenInterceptor(token: $0)] } ?? [])
    logger.info("serving state stores", metadata: ["stores": .string(clients.keys.sorted().joined(separator: ","))])
    // The stores' services start first and stop last; the gRPC server runs beside the HTTP one.
    // A body over the limit is refused right after its headers, with Dapr's error body.
    return Application(
        router: sidecarResponder(router),
        server: .service(maximumBodyBytes: maxBodyBytes) { DaprAPIError.bodyTooLarge(limit: $0).head() },
        configuration: settings.applicationConfiguration,
        services: stores.flatMap(\.services) + [GRPCServerService(server: grpcServer, logger: logger)], logger: logger)
}

/// The router as the application's responder: a method a routed path does not take is a 405
/// with `Allow` and Dapr's error body (`ERR_METHOD_NOT_ALLOWED`).
func sidecarResponder(_ router: Router<BasicRequestContext>) -> ServiceRouter<BasicRequestContext> {
    ServiceRouter(router) { request, allow in
        DaprAPIError(.methodNotAllowed, "ERR_METHOD_NOT_ALLOWED", "\(request.method.rawValue) is not allowed here; allowed: \(allow)").answer
    }
}

/// The gRPC listening address for the HTTP API's host (`localhost` is IPv4 loopback).
func grpcAddress(host: String, port: Int) -> GRPCNIOTransportCore.SocketAddress {
    if host.contains(":") { return .ipv6(host: host, port: port) }
    return .ipv4(host: host == "localhost" ? "127.0.0.1" : host, port: port)
}

/// The sidecar's routes over `stores` (by component name), for the app `appID`.
///
/// `components` describes each store for `GET /v1.0/metadata`; a store without an entry is
/// reported as `state.in-memory`. With `apiToken`, requests other than the health checks must
/// carry it (``APITokenMiddleware``).
func buildRouter(
    stores: [String: StateClient], appID: String, maxBodyBytes: Int, components: [String: SidecarComponent] = [:],
    apiToken: APIToken? = nil
) -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: ServiceTracingMiddleware())
    router.addMetrics()
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: DaprErrorMiddleware())
    if let apiToken { router.add(middleware: APITokenMiddleware(token: apiToken)) }
    let state = StateController(stores: stores, appID: appID, maxBodyBytes: maxBodyBytes)
    router.addRoutes(state.endpoints)
    router.addRoutes(state.alphaEndpoints)
    router.addRoutes(SidecarController(stores: stores, appID: appID, components: components).endpoints)
    // `/health/ready`: every store answers a read (of a key nobody writes).
    let checks = stores.sorted { $0.key < $1.key }.map { name, client in
        HealthCheck(name: name) { _ = try await client.get("health-probe") }
    }
    router.addRoutes(HealthController<BasicRequestContext>(checks: checks).endpoints)
    return router
}

/// What `GET /v1.0/metadata` reports about a component.
struct SidecarComponent: Sendable {
    var type: String
    var version: String

    init(type: String, version: String) {
        self.type = type
        self.version = version
    }

    init(_ store: ComponentStore) {
        self.init(type: store.component.type, version: store.component.version.isEmpty ? "v1" : store.component.version)
    }
}
