import StateClient

/// The record of events an app has handled, through the state client (so per app id): what makes
/// handlers idempotent. A key per topic and event id (`handled:<topic>:<id>`) holds `handling`
/// while a consumer runs the handler and `done` afterwards.
///
/// - ``begin(topic:id:)`` writes `handling` with `first-write` and a short TTL (the lease): it
///   fails if the key exists, so two consumers never run one event at once, and a consumer that
///   dies mid-handler blocks the event only until the lease expires.
/// - ``complete(topic:id:)`` overwrites it with `done` for the deduplication window: a redelivered
///   or republished copy within the window is acknowledged without running the handler.
/// - ``release(topic:id:)`` deletes it after a failure, so the retry may run.
public struct HandledEventLog: Sendable {
    public let state: StateClient
    /// How long a completed event is remembered, in seconds.
    public let windowInSeconds: Int
    /// How long a consumer may run one handler before another may take the event over, in seconds.
    public let leaseInSeconds: Int

    public init(state: StateClient, windowInSeconds: Int = 86_400, leaseInSeconds: Int = 60) {
        self.state = state
        self.windowInSeconds = max(1, windowInSeconds)
        self.leaseInSeconds = max(1, leaseInSeconds)
    }

    /// What ``begin(topic:id:)`` found.
    public enum Claim: Sendable, Hashable {
        /// The caller runs the handler, then calls `complete` or `release`.
        case claimed
        /// Handled before, within the window: acknowledge without running the handler.
        case alreadyHandled
        /// Another consumer is running the handler now: try again later.
        case busy
    }

    static let handling: [UInt8] = Array("handling".utf8)
    static let done: [UInt8] = Array("done".utf8)

    public func key(topic: String, id: String) -> String { "handled:\(topic):\(id)" }

    public func begin(topic: String, id: String) async throws -> Claim {
        let key = key(topic: topic, id: id)
        while true {
            do {
                try await state.save(key, bytes: Self.handling, options: SaveOptions(concurrency: .firstWrite, ttlInSeconds: leaseInSeconds))
                return .claimed
            } catch let error as StateError where error.code == .etagMismatch {
                switch try await state.get(key)?.value {
                case Self.done?: return .alreadyHandled
                case nil: continue  // the lease expired in between: claim again
                default: return .busy
                }
            }
        }
    }

    public func complete(topic: String, id: String) async throws {
        try await state.save(key(topic: topic, id: id), bytes: Self.done, options: SaveOptions(ttlInSeconds: windowInSeconds))
    }

    public func release(topic: String, id: String) async throws {
        try await state.delete(key(topic: topic, id: id))
    }
}
