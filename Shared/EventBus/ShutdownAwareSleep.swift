import ServiceLifecycle

/// Sleeps for `duration`, ending early when the service running this task shuts down gracefully
/// (ServiceLifecycle's `cancelWhenGracefulShutdown`) or the task is cancelled; returns `false`
/// when it ended early. Outside a `ServiceGroup` only cancellation ends it early.
func sleepUnlessShuttingDown(for duration: Duration) async -> Bool {
    guard !Task.isShuttingDownGracefully else { return false }
    do {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
        return true
    } catch {
        return false
    }
}
