import Foundation
import JWTKit

/// The verification keys, loaded from the key set source once and again only when a token names
/// a key id the loaded set lacks — at most once per `minimumRefreshInterval`, so tokens with
/// made-up key ids cannot make a service hammer Identity. Until a first load succeeds there is no
/// such limit: each call that finds no fetch in flight tries again. Concurrent loads share one fetch.
actor KeySetCache {
    struct Loaded: Sendable {
        let keys: JWTKeyCollection
        let keyIDs: Set<String>
    }

    private let source: @Sendable () async throws -> JWKS
    private let minimumRefreshInterval: Duration
    private var current: Loaded?
    private var lastAttempt: ContinuousClock.Instant?
    private var inFlight: Task<Loaded, any Error>?

    init(minimumRefreshInterval: Duration, source: @escaping @Sendable () async throws -> JWKS) {
        self.source = source
        self.minimumRefreshInterval = minimumRefreshInterval
    }

    /// Keys that contain `keyID` when the source has it; the current keys when it was refreshed
    /// too recently to ask again.
    func keys(containing keyID: String) async throws -> Loaded {
        if let current, current.keyIDs.contains(keyID) { return current }
        if let current, let lastAttempt, lastAttempt.duration(to: .now) < minimumRefreshInterval { return current }
        if let inFlight { return try await inFlight.value }
        let source = source
        // A task, not a direct call: concurrent callers (a burst of requests with a new key id)
        // await this one fetch through `inFlight`. It is awaited right below, never left running;
        // a caller cancelled meanwhile still waits for it, bounded by the fetch's HTTP timeout.
        let task = Task { try await Self.load(source()) }
        inFlight = task
        defer { inFlight = nil }
        lastAttempt = .now
        let loaded = try await task.value
        current = loaded
        return loaded
    }

    private static func load(_ jwks: JWKS) async throws -> Loaded {
        let keys = JWTKeyCollection()
        try await keys.add(jwks: jwks)
        return Loaded(keys: keys, keyIDs: Set(jwks.keys.compactMap { $0.keyIdentifier?.string }))
    }
}
