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
