import Foundation
import StateClient
import Synchronization

/// An outgoing event waiting in an outbox.
public struct OutboxEntry: Sendable, Hashable {
    /// The store's key of the entry; entries are relayed in the order of their keys.
    public var key: String
    /// The envelope, exactly as written with the state change.
    public var envelope: EventEnvelope

    public init(key: String, envelope: EventEnvelope) {
        self.key = key
        self.envelope = envelope
    }
}

/// Where a service's outgoing events wait, written in the same transaction as its state change,
/// until ``OutboxRelay`` has published them. Writing is specific to each store (it joins that
/// store's transaction: ``StateOutbox/transaction(_:publishing:)`` for the state client, a SQL
/// `INSERT` for a SQL store); reading and removing is what the relay needs.
public protocol OutboxStore: Sendable {
    /// The oldest pending entries, oldest first, at most `limit`.
    func pending(limit: Int) async throws -> [OutboxEntry]
    /// Removes an entry once it is published.
    func remove(_ entry: OutboxEntry) async throws
}

/// The outbox in the app's state store, through its ``StateClient``: each event is an item
/// `outbox:<sequence>:<topic>:<event id>` whose value is the CloudEvents envelope. The sequence
/// is the write time in nanoseconds (strictly increasing within a process), so the relay
/// publishes in write order. Needs a store with transactions and key listing (Redis, PostgreSQL, memory).
///
/// ```swift
/// let outbox = StateOutbox(state: orders)
/// try await outbox.transaction(
///     [try .upsert(key: order.id.uuidString, value: order, options: .init(etag: etag))],
///     publishing: [OrderStatusChangedToPaid(order)])
/// relay.wake()   // publish now rather than at the next poll
/// ```
public struct StateOutbox: OutboxStore {
    public let state: StateClient
    /// The `source` of the envelopes: the state client's app id.
    public var source: String { state.appID }
    private let sequence = OutboxSequence()

    static let keyPrefix = "outbox:"

    public init(state: StateClient) {
        self.state = state
    }

    /// Applies `operations` and stores `events` in the outbox, all or nothing: a rolled-back
    /// transaction (an ETag mismatch, say) publishes nothing.
    public func transaction(_ operations: [StateOperation], publishing events: [any IntegrationEvent]) async throws {
        try await state.transaction(operations + events.map { try operation(for: $0) })
    }

    /// The operation that stores `event` in the outbox, to put in your own state transaction.
    /// The envelope carries the trace context of the span writing it (``TraceContextHeaders/current``),
    /// so the relay's publish and the handlers continue that trace however late they run.
    public func operation<Event: IntegrationEvent>(for event: Event) throws -> StateOperation {
        let envelope = try EventEnvelope(event, source: source)
        let key = "\(Self.keyPrefix)\(sequence.next()):\(envelope.topic):\(event.id.uuidString.lowercased())"
        return .upsert(key: key, bytes: envelope.bytes, options: SaveOptions(concurrency: .firstWrite))
    }

    public func pending(limit: Int) async throws -> [OutboxEntry] {
        var keys: [String] = []
        var token: String?
        repeat {
            let page = try await state.keys(prefix: Self.keyPrefix, limit: 1_000, token: token)
            keys += page.keys
            token = page.token
        } while token != nil
        let oldest = Array(keys.sorted().prefix(limit))
        guard !oldest.isEmpty else { return [] }
        let items = try await state.bulkGet(oldest)
        return oldest.compactMap { key in
            guard let item = items[UTF8Key(key)], let topic = Self.topic(ofKey: key) else { return nil }
            return OutboxEntry(key: key, envelope: EventEnvelope(topic: topic, bytes: item.value))
        }
    }

    public func remove(_ entry: OutboxEntry) async throws {
        try await state.delete(entry.key)
    }

    /// The topic in `outbox:<sequence>:<topic>:<id>`.
    static func topic(ofKey key: String) -> String? {
        let parts = key.dropFirst(keyPrefix.count).split(separator: ":")
        return parts.count == 3 ? String(parts[1]) : nil
    }
}

/// Nanoseconds since 1970, 20 digits, never repeating or going back within a process.
final class OutboxSequence: Sendable {
    private let last = Mutex<UInt64>(0)

    func next() -> String {
        let now = UInt64(Date().timeIntervalSince1970 * 1_000_000) * 1_000
        let value = last.withLock { last in
            last = max(now, last + 1)
            return last
        }
        let digits = String(value)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }
}
