import Foundation
import StateClient
import StateStores
import TestSupport
import Testing

/// The stores the conformance suite runs against: the reference in-memory store, the real
/// Redis and PostgreSQL servers of `scripts/test`, and ``HTTPStateStore`` through a `StateSidecar`
/// process (one per app id) over each of those servers.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, redis, postgres
    case httpRedis = "http→redis"
    case httpPostgres = "http→postgres"

    var testDescription: String { rawValue }

    /// Whether values come back byte for byte (PostgreSQL's jsonb, and the HTTP API which carries
    /// values as parsed JSON, return equivalent JSON).
    var keepsBytes: Bool { self == .memory || self == .redis }

    var hasQuery: Bool { self != .redis && self != .httpRedis }
}

/// Runs `body` with clients of one or more app ids on a fresh store of `kind`.
func withStateClients(
    _ kind: StoreKind, appIDs: [String] = ["app-\(UUID().uuidString.prefix(8))"],
    _ body: @Sendable ([StateClient]) async throws -> Void
) async throws {
    @Sendable func clients(_ store: any StateStore) -> [StateClient] {
        appIDs.map { StateClient(store: store, storeName: "statestore", appID: $0) }
    }
    switch kind {
    case .redis, .httpRedis: try await requireServer(Reachability.redis, "Redis (REDIS_HOST/REDIS_PORT)")
    case .postgres, .httpPostgres: try await requireServer(Reachability.postgres, "PostgreSQL (POSTGRES_HOST/POSTGRES_PORT)")
    case .memory: break
    }
    switch kind {
    case .memory:
        try await body(clients(MemoryStateStore()))
    case .redis:
        try await withRedisStateStore { store, _ in try await body(clients(store)) }
    case .postgres:
        try await withPostgresStateStore { store, _ in try await body(clients(store)) }
    case .httpRedis:
        try await withSidecars(appIDs: appIDs[...], component: TestSidecar.redisComponent(), body)
    case .httpPostgres:
        try await withSidecars(appIDs: appIDs[...], component: TestSidecar.postgresComponent(tableName: "http_conformance_state"), body)
    }
}

/// Runs `body` with one ``HTTPStateStore`` client per app id, each through a sidecar process of
/// its own serving `component`; the sidecars stop afterwards.
private func withSidecars(
    appIDs: ArraySlice<String>, component: String, started: [StateClient] = [], _ body: @Sendable ([StateClient]) async throws -> Void
) async throws {
    guard let appID = appIDs.first else { return try await body(started) }
    try await withSidecarClient(appID: appID, component: component) { client in
        try await withSidecars(appIDs: appIDs.dropFirst(), component: component, started: started + [client], body)
    }
}

/// Runs `body` with an ``HTTPStateStore`` client for `appID` through a sidecar process of its own.
func withSidecarClient(appID: String, component: String, _ body: (StateClient) async throws -> Void) async throws {
    try await TestSidecar.with(appID: appID, components: ["statestore.yaml": component]) { sidecar in
        try await body(try await HTTPStateStore.discover(.init(baseURL: sidecar.baseURL, storeName: "statestore")).client(appID: appID))
    }
}

/// Runs `body` with one client on a fresh store of `kind`.
func withStateClient(_ kind: StoreKind, _ body: @Sendable (StateClient) async throws -> Void) async throws {
    try await withStateClients(kind) { clients in try await body(clients[0]) }
}

/// JSON text as bytes.
func json(_ text: String) -> [UInt8] { Array(text.utf8) }
