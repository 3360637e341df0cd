import Tracing

/// A store whose every operation is a client span, `state <operation>` (`state get`,
/// `state transaction`), with the component name and the item count, never keys or values.
/// ``StateClient`` calls its store through one, so every service's state calls are traced; the store's
/// own spans (Redis commands, SQL queries, the sidecar's HTTP) become its children.
///
/// As with Redis commands, an operation outside a recorded span records nothing: outside any
/// trace (the outbox relay's poll) it would start a trace of its own every few hundred
/// milliseconds, and in a trace the sampler dropped it would be made only to be discarded.
struct TracingStateStore: StateStore {
    let base: any StateStore
    let storeName: String

    var capabilities: StateStoreCapabilities { base.capabilities }

    func get(_ key: String, consistency: Consistency) async throws -> StateItem? {
        try await span("get") { try await base.get(key, consistency: consistency) }
    }

    func bulkGet(_ keys: [String], consistency: Consistency) async throws -> BulkGetResult {
        try await span("bulk get", items: keys.count) { try await base.bulkGet(keys, consistency: consistency) }
    }

    func set(_ request: SetRequest) async throws {
        try await span("set") { try await base.set(request) }
    }

    func bulkSet(_ requests: [SetRequest]) async -> [UTF8Key: StateError] {
        await span("bulk set", items: requests.count) { await base.bulkSet(requests) }
    }

    func delete(_ request: DeleteRequest) async throws {
        try await span("delete") { try await base.delete(request) }
    }

    func transaction(_ operations: [TransactionOperation]) async throws {
        try await span("transaction", items: operations.count) { try await base.transaction(operations) }
    }

    func query(_ query: StateQuery, keyPrefix: String) async throws -> StateQueryResult {
        try await span("query") { try await base.query(query, keyPrefix: keyPrefix) }
    }

    func keys(prefix: String, limit: Int, token: String?) async throws -> StateKeysPage {
        try await span("keys") { try await base.keys(prefix: prefix, limit: limit, token: token) }
    }

    private func span<Result>(_ operation: String, items: Int? = nil, _ body: () async throws -> Result) async rethrows -> Result {
        // The context first: with tracing off there is none, and the tracer's look-up takes a lock.
        guard let context = ServiceContext.current else { return try await body() }
        let tracer = InstrumentationSystem.tracer
        guard tracer.activeSpan(identifiedBy: context) != nil else { return try await body() }
        return try await tracer.withSpan("state \(operation)", context: context, ofKind: .client) { span in
            // One update, not one per attribute: each assignment copies a recording span's attributes.
            span.updateAttributes { attributes in
                attributes["db.system.name"] = "dapr.state"
                attributes["db.operation.name"] = operation
                attributes["db.collection.name"] = storeName
                if let items { attributes["db.operation.batch.size"] = items }
            }
            return try await body()
        }
    }
}
