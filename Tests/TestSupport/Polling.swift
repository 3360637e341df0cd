/// Something a test waited for that did not happen in time.
public struct WaitTimedOut: Error, CustomStringConvertible {
    /// What the test waited for, in words ("the consumer group to exist").
    public var what: String
    public var timeout: Duration
    /// The last attempt's error, if it threw.
    public var lastError: (any Error)?

    public var description: String {
        "timed out after \(timeout) waiting for \(what)" + (lastError.map { "; last attempt: \(String(reflecting: $0))" } ?? "")
    }
}

/// Polls `body` every 20 ms until it returns without throwing; after `timeout` throws
/// ``WaitTimedOut`` naming `what` and the last error.
@discardableResult
public func eventually<Result>(_ what: String, within timeout: Duration, _ body: () async throws -> Result) async throws -> Result {
    let deadline = ContinuousClock.now + timeout
    while true {
        do {
            return try await body()
        } catch {
            if ContinuousClock.now >= deadline { throw WaitTimedOut(what: what, timeout: timeout, lastError: error) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Polls `condition` every 20 ms until it holds; after `timeout` throws ``WaitTimedOut`` naming `what`.
public func waitUntil(_ what: String, within timeout: Duration, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        if ContinuousClock.now >= deadline { throw WaitTimedOut(what: what, timeout: timeout) }
        try await Task.sleep(for: .milliseconds(20))
    }
}
