import Foundation
import StateClient
import Synchronization

/// The outbox in the app's state store, through its ``StateClient``: each event is an item
/// `outbox:<sequence>:<topic>:<event id>` whose value is the CloudEvents envelope. The sequence
/// is the write time in nanoseconds (strictly increasing within a process), so the relay
/// publishes in write order. Needs a store with transactions and key listing (Redis, PostgreSQL, memory).
///
/// How the relay finds the entries. Listing keys by prefix costs as much as the whole keyspace on
/// Redis (`SCAN` visits every key: about 46 ms for 100 000 keys here), and the app's keyspace grows
/// with its state and its handled-event records, so the outbox is not listed on every pass. The
/// entries this outbox committed are remembered in memory and read back by key; the whole outbox
/// is listed on the first pass and then every `listingInterval`, for the entries nobody here
/// wrote: those of a process that crashed before its relay ran, or of another replica that stopped.
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
    /// How often ``pending(limit:)`` lists the whole outbox rather than only what this outbox wrote.
    public let listingInterval: Duration
    private let sequence = OutboxSequence()
    private let unpublished = UnpublishedKeys()

    static let keyPrefix = "outbox:"

    /// - Parameter listingInterval: how often the whole outbox is listed (default 60 s): the longest
    ///   an entry written by another process waits once that process is gone.
    public init(state: StateClient, listingInterval: Duration = .seconds(60)) {
        self.state = state
        self.listingInterval = listingInterval
    }

    /// Applies `operations` and stores `events` in the outbox, all or nothing: a rolled-back
    /// transaction (an ETag mismatch, say) publishes nothing. Each envelope carries the trace
    /// context of the span writing it (``TraceContextHeaders/current``), so the relay's publish and
    /// the handlers continue that trace however late they run.
    public func transaction(_ operations: [StateOperation], publishing events: [any IntegrationEvent]) async throws {
        let entries = try events.map { event in
            let envelope = try EventEnvelope(event, source: source)
            return (key: "\(Self.keyPrefix)\(sequence.next()):\(envelope.topic):\(event.id.uuidString.lowercased())", envelope.bytes)
        }
        try await state.transaction(
            operations + entries.map { .upsert(key: $0.key, bytes: $0.1, options: SaveOptions(concurrency: .firstWrite)) })
        unpublished.insert(entries.map(\.key))
    }

    /// The oldest entries known to be unpublished, at most `limit`: those this outbox committed,
    /// and those the last listing of the whole outbox found (on the first call, then every
    /// `listingInterval`). Keys found gone are forgotten and the next ones read instead.
    public func pending(limit: Int) async throws -> [OutboxEntry] {
        if unpublished.isListingDue(every: listingInterval) { unpublished.listed(try await listAll()) }
        while true {
            let oldest = unpublished.oldest(limit)
            guard !oldest.isEmpty else { return [] }
            let items = try await state.bulkGet(oldest)
            // A key that is gone was published by another process (a replica's relay, after a listing).
            let gone = oldest.filter { items[UTF8Key($0)] == nil }
            unpublished.remove(gone)
            if gone.count < oldest.count {
                return oldest.compactMap { key in
                    guard let item = items[UTF8Key(key)], let topic = Self.topic(ofKey: key) else { return nil }
                    return OutboxEntry(key: key, envelope: EventEnvelope(topic: topic, bytes: item.value))
                }
            }
        }
    }

    public func remove(_ entry: OutboxEntry) async throws {
        try await state.delete(entry.key)
        unpublished.remove([entry.key])
    }

    /// Every key of the outbox.
    private func listAll() async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            let page = try await state.keys(prefix: Self.keyPrefix, limit: 1_000, token: token)
            keys += page.keys
            token = page.token
        } while token != nil
        return keys
    }

    /// The topic in `outbox:<sequence>:<topic>:<id>`.
    static func topic(ofKey key: String) -> String? {
        let parts = key.dropFirst(keyPrefix.count).split(separator: ":")
        return parts.count == 3 ? String(parts[1]) : nil
    }
}

/// The outbox keys known to be unpublished (committed here, or found by the last listing), and
/// when the whole outbox was last listed. Shared by the copies of one ``StateOutbox``.
final class UnpublishedKeys: Sendable {
    private struct State {
        var keys = Set<String>()
        var lastListing: ContinuousClock.Instant?
    }
    private let state = Mutex(State())

    func insert(_ keys: [String]) {
        state.withLock { $0.keys.formUnion(keys) }
    }

    func remove(_ keys: [String]) {
        state.withLock { $0.keys.subtract(keys) }
    }

    /// The `count` smallest keys, in order.
    func oldest(_ count: Int) -> [String] {
        state.withLock { Array($0.keys.sorted().prefix(count)) }
    }

    /// Whether the outbox was never listed, or last listed `interval` ago or longer.
    func isListingDue(every interval: Duration) -> Bool {
        state.withLock { state in state.lastListing.map { ContinuousClock.now - $0 >= interval } ?? true }
    }

    /// Records a listing that found `keys`.
    func listed(_ keys: [String]) {
        state.withLock { state in
            state.keys.formUnion(keys)
            state.lastListing = .now
        }
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
