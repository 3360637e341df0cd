/// How often and how patiently a failing handler is retried before its event is dead-lettered.
public struct RetryPolicy: Sendable, Hashable {
    /// Handler attempts per event, first one included; after the last failure the event moves
    /// to the dead-letter stream.
    public var maximumAttempts: Int
    /// The wait after the first failure; it doubles per failure…
    public var initialBackoff: Duration
    /// …up to this.
    public var maximumBackoff: Duration

    public init(maximumAttempts: Int = 5, initialBackoff: Duration = .milliseconds(200), maximumBackoff: Duration = .seconds(10)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// The wait after `attempt` (1-based) failed.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        var delay = initialBackoff
        for _ in 1..<max(1, attempt) where delay < maximumBackoff { delay *= 2 }
        return min(delay, maximumBackoff)
    }
}
