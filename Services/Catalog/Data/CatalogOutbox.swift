import EventBus
import Logging
import NIOCore
import PostgresNIO
import StateStores

/// The catalog's SQL outbox, `catalog.outbox`: an event is inserted with ``insert(_:on:logger:)``
/// inside the transaction of the change it announces, so it exists if and only if the change
/// committed; ``OutboxRelay`` publishes the rows in `sequence` order and deletes each one after
/// the bus stored it (a crash in between publishes it again; subscribers deduplicate by event id).
struct CatalogOutbox: OutboxStore {
    let client: PostgresClient
    let logger: Logger

    /// The `source` of the catalog's envelopes.
    static let source = "catalog-api"

    /// Adds `event` to the outbox in the transaction `connection` is in.
    static func insert<Event: IntegrationEvent>(_ event: Event, on connection: PostgresConnection, logger: Logger) async throws {
        let envelope = try EventEnvelope(event, source: source)
        _ = try await connection.tracedQuery(
            "INSERT INTO catalog.outbox (topic, envelope) VALUES (\(envelope.topic), \(ByteBuffer(bytes: envelope.bytes)))", logger: logger
        ).collect()
    }

    func pending(limit: Int) async throws -> [OutboxEntry] {
        let rows = try await client.tracedQuery(
            "SELECT sequence, topic, envelope FROM catalog.outbox ORDER BY sequence LIMIT \(limit)", logger: logger)
        var entries: [OutboxEntry] = []
        for try await (sequence, topic, envelope) in rows.decode((Int64, String, ByteBuffer).self) {
            entries.append(OutboxEntry(key: String(sequence), envelope: EventEnvelope(topic: topic, bytes: Array(buffer: envelope))))
        }
        return entries
    }

    func remove(_ entry: OutboxEntry) async throws {
        guard let sequence = Int64(entry.key) else { return }
        _ = try await client.tracedQuery("DELETE FROM catalog.outbox WHERE sequence = \(sequence)", logger: logger).collect()
    }
}
