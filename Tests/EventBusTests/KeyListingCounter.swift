import StateClient
import Synchronization

/// A state store that passes everything to `store` and counts the key listings (`keys` calls).
final class KeyListingCounter: StateStore {
    let store: any StateStore
    private let listings = Atomic<Int>(0)

    init(_ store: any StateStore) { self.store = store }

    var count: Int { listings.load(ordering: .relaxed) }

    var capabilities: StateStoreCapabilities { store.capabilities }

    func keys(prefix: String, limit: Int, token: String?) async throws -> StateKeysPage {
        listings.add(1, ordering: .relaxed)
        return try await store.keys(prefix: prefix, limit: limit, token: token)
    }

    func get(_ key: String, consistency: Consistency) async throws -> StateItem? { try await store.get(key, consistency: consistency) }
    func bulkGet(_ keys: [String], consistency: Consistency) async throws -> BulkGetResult { try await store.bulkGet(keys, consistency: consistency) }
    func set(_ request: SetRequest) async throws { try await store.set(request) }
    func bulkSet(_ requests: [SetRequest]) async -> [UTF8Key: StateError] { await store.bulkSet(requests) }
    func delete(_ request: DeleteRequest) async throws { try await store.delete(request) }
    func transaction(_ operations: [TransactionOperation]) async throws { try await store.transaction(operations) }
    func query(_ query: StateQuery, keyPrefix: String) async throws -> StateQueryResult { try await store.query(query, keyPrefix: keyPrefix) }
}
