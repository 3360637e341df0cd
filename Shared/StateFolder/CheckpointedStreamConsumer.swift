import EventBus
import Foundation
import Logging
import RedisClient
import ServiceLifecycle
import Synchronization

/// When a checkpoint commits: after `every` entries, or `interval` after its first entry,
/// whichever comes first (Quix's `commit_every` and `commit_interval`).
public struct CheckpointPolicy: Sendable {
    public var every: Int
    public var interval: Duration

    public init(every: Int = 1_000, interval: Duration = .milliseconds(500)) {
        self.every = max(1, every)
        self.interval = interval
    }
}

/// Consumes one Redis stream as a consumer group into a ``KeyedStateStore``, Quix-style:
/// entries are handled in batches, each batch's state changes and its last entry id are
/// committed in one SQLite transaction (a checkpoint), and the entries are acknowledged (`XACK`)
/// only after that commit.
///
/// After a crash the store holds exactly the committed prefix: on start the consumer re-reads its
/// pending entries (`XREADGROUP … 0`), skips those at or below the committed entry id (their
/// changes are in the store; only their `XACK` was lost) and handles the rest. No entry is
/// counted twice, none is lost. The consumer name is stable (one owner per store holds the
/// store's lock), so a replica taking over reads the pending entries its predecessor left.
///
/// This differs from ``RedisStreamsEventBus``, which acknowledges each entry after its handler
/// and deduplicates by event id: here the stream position itself, stored with the state, is the
/// deduplication.
public final class CheckpointedStreamConsumer<Event: IntegrationEvent>: Sendable {
    public let stream: String
    public let group: String
    public let consumerName: String
    public let policy: CheckpointPolicy
    private let client: RedisClient
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let handler: @Sendable (Event, StateTransaction) throws -> Void

    /// - Parameters:
    ///   - handler: applies one event to the state; it runs inside the checkpoint's SQLite
    ///     transaction (synchronously, off the event loops). Throwing fails the whole checkpoint:
    ///     nothing of it is committed or acknowledged, and it is retried.
    public init(
        client: RedisClient, stream: String, group: String, consumerName: String, policy: CheckpointPolicy = CheckpointPolicy(), logger: Logger,
        handler: @escaping @Sendable (Event, StateTransaction) throws -> Void
    ) {
        self.client = client
        self.stream = stream
        self.group = group
        self.consumerName = consumerName
        self.policy = policy
        self.logger = logger
        self.handler = handler
    }

    /// Consumes until graceful shutdown or cancellation; the batch in hand is committed first.
    public func run(store: KeyedStateStore) async throws {
        try await withGracefulShutdownHandler {
            try await consume(store)
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
        }
    }

    private var isRunning: Bool { !stopping.load(ordering: .relaxed) && !Task.isCancelled }

    private func consume(_ store: KeyedStateStore) async throws {
        var committed: StreamEntryID?
        var started = false
        var failures = 0
        var readingPending = true  // first the entries this consumer read but never acknowledged
        var backlogDue = ContinuousClock.now + ConsumerBacklog.interval
        while isRunning {
            do {
                if !started {
                    try await createGroup()
                    committed = try await store.lastProcessedEntryID()
                    started = true
                }
                if ContinuousClock.now >= backlogDue {
                    backlogDue = ContinuousClock.now + ConsumerBacklog.interval
                    await recordBacklog()
                }
                let batch = readingPending ? try await readPending() : try await readBatch()
                if readingPending && batch.isEmpty {
                    readingPending = false
                    continue
                }
                guard let last = batch.last?.id else { continue }
                if committed.map({ last > $0 }) ?? true {
                    let fresh = batch.filter { entry in committed.map { entry.id > $0 } ?? true }
                    let skipped = try await store.checkpoint(through: last) { [handler, logger] transaction in
                        try Self.apply(fresh, with: handler, transaction: transaction, logger: logger)
                    }
                    committed = last
                    logger.debug("checkpoint committed", metadata: ["stream.id": "\(last)", "entries": "\(fresh.count)", "skipped": "\(skipped)"])
                }
                try await acknowledge(batch.map(\.id))
                failures = 0
            } catch {
                failures += 1
                readingPending = true  // the failed batch is still pending: read it again
                logger.error("checkpoint failed; retrying", metadata: ["stream": "\(stream)", "error": "\(error)", "attempt": "\(failures)"])
                try? await Task.sleep(for: .milliseconds(min(5_000, 100 << min(failures, 6))))
            }
        }
    }

    /// Decodes and applies each entry; returns how many could not be decoded (logged, skipped:
    /// a malformed entry would otherwise block the stream forever).
    private static func apply(
        _ entries: [Entry], with handler: (Event, StateTransaction) throws -> Void, transaction: StateTransaction, logger: Logger
    ) throws -> Int {
        var skipped = 0
        for entry in entries {
            let event: Event
            do {
                guard let bytes = entry.envelope else { throw EventBusError(.malformedEntry, "the entry has no envelope field") }
                event = try EventEnvelope(topic: Event.topic, bytes: bytes).event(as: Event.self)
            } catch {
                skipped += 1
                logger.error("skipping a stream entry that is not a \(Event.topic) event", metadata: ["stream.id": "\(entry.id)", "error": "\(error)"])
                continue
            }
            try handler(event, transaction)
        }
        return skipped
    }

    // MARK: Redis

    struct Entry: Sendable {
        var id: StreamEntryID
        var envelope: [UInt8]?
    }

    /// The group's lag and pending entries, as the event bus records its own (`eventbus_consumer_lag`).
    private func recordBacklog() async {
        do {
            try await ConsumerBacklog.record(client: client, stream: stream, topic: Event.topic, group: group)
        } catch {
            logger.debug("cannot read the consumer lag", metadata: ["stream": "\(stream)", "error": "\(error)"])
        }
    }

    private func createGroup() async throws {
        do {
            _ = try await client.send(RedisCommand("XGROUP", "CREATE", stream, group, "0", "MKSTREAM"))
        } catch let error as RedisError where error.serverErrorPrefix == "BUSYGROUP" {
            return
        }
    }

    /// This consumer's pending entries (read before a crash, never acknowledged), oldest first.
    private func readPending() async throws -> [Entry] {
        try parse(try await client.send(RedisCommand("XREADGROUP", "GROUP", group, consumerName, "COUNT", policy.every, "STREAMS", stream, "0")))
    }

    /// New entries until the batch is full or the checkpoint interval has passed since its first.
    private func readBatch() async throws -> [Entry] {
        let clock = ContinuousClock()
        let idleBlock = max(1, min(1_000, Int(policy.interval.components.seconds * 1_000 + policy.interval.components.attoseconds / 1_000_000_000_000_000)))
        var batch: [Entry] = []
        var deadline: ContinuousClock.Instant?
        while batch.count < policy.every && isRunning {
            var block = idleBlock
            if let deadline {
                let remaining = clock.now.duration(to: deadline)
                guard remaining > .zero else { break }
                block = max(1, Int(remaining.components.seconds * 1_000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            }
            let read = RedisCommand("XREADGROUP", "GROUP", group, consumerName, "COUNT", policy.every - batch.count, "BLOCK", block, "STREAMS", stream, ">")
            let reply = try await client.withConnection { connection in try await connection.send(read) }
            let entries = try parse(reply)
            if deadline == nil && !entries.isEmpty { deadline = clock.now.advanced(by: policy.interval) }
            batch += entries
        }
        return batch
    }

    private func acknowledge(_ ids: [StreamEntryID]) async throws {
        guard !ids.isEmpty else { return }
        let head: [any RedisArgumentConvertible] = [stream, group]
        _ = try await client.send(RedisCommand("XACK", arguments: head + ids.map(\.description)))
    }

    /// `XREADGROUP`'s reply: null, or `[[stream, [[id, [field, value, …] or null], …]]]`.
    private func parse(_ reply: RESPValue) throws -> [Entry] {
        if reply.isNull { return [] }
        guard let streams = reply.array else { throw EventBusError(.unexpectedReply, "unexpected XREADGROUP reply: \(reply)") }
        var entries: [Entry] = []
        for stream in streams {
            guard let parts = stream.array, parts.count == 2, let items = parts[1].array else {
                throw EventBusError(.unexpectedReply, "unexpected XREADGROUP reply: \(reply)")
            }
            for item in items {
                guard let pair = item.array, pair.count == 2, let text = pair[0].string, let id = StreamEntryID(text) else {
                    throw EventBusError(.unexpectedReply, "unexpected stream entry: \(item)")
                }
                var envelope: [UInt8]?
                if let fields = pair[1].array {
                    for index in stride(from: 0, to: fields.count - 1, by: 2) where fields[index].string == "envelope" {
                        envelope = fields[index + 1].bytes
                    }
                }
                entries.append(Entry(id: id, envelope: envelope))
            }
        }
        return entries
    }
}
