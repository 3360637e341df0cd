import Foundation
import GRPCCore
import GRPCInProcessTransport
import HummingbirdTesting
import Hummingbird
import Logging
import StateClient
import Testing

@testable import StateSidecar

/// The generated client of Dapr's gRPC API, over the in-process transport.
typealias DaprClient = Dapr_Proto_Runtime_V1_Dapr.Client<InProcessTransport.Client>

/// Runs `body` with a gRPC client of an in-process sidecar over `stores` (by component name) and
/// the HTTP API over the same state clients; with `apiToken`, both require it.
func withGRPCSidecar(
    _ stores: [String: any StateStore] = ["statestore": MemoryStateStore()], appID: String = uniqueAppID(), apiToken: String? = nil,
    _ body: @escaping @Sendable (DaprClient, Sidecar) async throws -> Void
) async throws {
    var clients: [String: StateClient] = [:]
    for (name, store) in stores { clients[name] = StateClient(store: store, storeName: name, appID: appID) }
    let token = apiToken.flatMap(APIToken.init)
    let transport = InProcessTransport()
    let server = GRPCServer(
        transport: UnimplementedRPCTransport(base: transport.server, served: Set(Dapr_Proto_Runtime_V1_Dapr.Method.descriptors)),
        services: [DaprGRPCService(stores: clients, appID: appID, components: [:], logger: Logger(label: "grpc-test"))],
        interceptors: token.map { [APITokenInterceptor(token: $0)] } ?? [])
    let app = Application(router: buildRouter(stores: clients, appID: appID, maxBodyBytes: 4 * 1024 * 1024, apiToken: token))
    try await withThrowingDiscardingTaskGroup { group in
        group.addTask { try await server.serve() }
        defer { server.beginGracefulShutdown() }
        try await withGRPCClient(transport: transport.client) { client in
            try await app.test(.router) { http in try await body(DaprClient(wrapping: client), Sidecar(client: http)) }
        }
    }
}

/// The metadata carrying the API token.
func tokenMetadata(_ token: String) -> Metadata { [APIToken.headerName: .string(token)] }

/// The status code of the `RPCError` `body` throws (`nil` when it succeeds or throws another error).
func rpcCode(_ body: () async throws -> Void) async -> RPCError.Code? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        return nil
    }
}

extension Dapr_Proto_Common_V1_StateItem {
    init(_ key: String, _ value: String, etag: String? = nil, metadata: [String: String] = [:]) {
        self.init()
        self.key = key
        self.value = Data(value.utf8)
        if let etag { self.etag = .with { $0.value = etag } }
        self.metadata = metadata
    }
}

extension DaprClient {
    /// Saves one item into `statestore`.
    func save(_ key: String, _ value: String, etag: String? = nil, metadata: [String: String] = [:], store: String = "statestore") async throws {
        _ = try await saveState(.with { $0.storeName = store; $0.states = [.init(key, value, etag: etag, metadata: metadata)] })
    }

    /// Reads one key of `statestore`.
    func get(_ key: String, store: String = "statestore") async throws -> Dapr_Proto_Runtime_V1_GetStateResponse {
        try await getState(.with { $0.storeName = store; $0.key = key })
    }
}
