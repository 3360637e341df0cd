import Foundation
import StateClient
import StateStores
import Testing

/// The stores the conformance suite runs against: the reference in-memory store and the real
/// Redis and PostgreSQL servers of `scripts/test`.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, redis, postgres

    var testDescription: String { rawValue }

    /// Whether values come back byte for byte (PostgreSQL's jsonb returns equivalent JSON).
    var keepsBytes: Bool { self != .postgres }

    var hasQuery: Bool { self != .redis }
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
    case .memory:
        try await body(clients(MemoryStateStore()))
    case .redis:
        try await withRedisStateStore { store, _ in try await body(clients(store)) }
    case .postgres:
        try await withPostgresStateStore { store, _ in try await body(clients(store)) }
    }
}

/// Runs `body` with one client on a fresh store of `kind`.
func withStateClient(_ kind: StoreKind, _ body: @Sendable (StateClient) async throws -> Void) async throws {
    try await withStateClients(kind) { clients in try await body(clients[0]) }
}

/// JSON text as bytes.
func json(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Polls `condition` until it holds or `timeout` passes.
func eventually(within timeout: Duration, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
