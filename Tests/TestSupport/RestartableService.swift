/// A service process a test can SIGKILL and start again on the same port while a closure runs
/// (crash and chaos tests). One supervising child task owns the process: each
/// ``killAndRestart()`` kills it, and the supervisor starts the next one and reports it ready.
public struct RestartableService: Sendable {
    public let name: String
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let restarts: AsyncStream<CheckedContinuation<Void, any Error>>.Continuation

    /// SIGKILL the running process, then return once a new one answers on the same port.
    public func killAndRestart() async throws {
        try await withCheckedThrowingContinuation { restarted in
            if case .terminated = restarts.yield(restarted) { restarted.resume(throwing: CancellationError()) }
        }
    }

    /// Starts `product` on a free port (as ``TestServiceProcess/with(_:environment:port:readyPath:within:_:)``)
    /// and runs `body` with it; the last process gets SIGTERM however `body` ends.
    public static func with<Result: Sendable>(
        _ product: String, environment: [String: String], _ body: @Sendable (RestartableService) async throws -> Result
    ) async throws -> Result {
        let port = try await TestRedis.freePort()
        let (requests, restarts) = AsyncStream<CheckedContinuation<Void, any Error>>.makeStream()
        let (firstReady, firstReadyContinuation) = AsyncThrowingStream<Void, any Error>.makeStream()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var pending: CheckedContinuation<Void, any Error>?
                var iterator = requests.makeAsyncIterator()
                do {
                    while !Task.isCancelled {
                        try await TestServiceProcess.with(product, environment: environment, port: port) { process in
                            if let waiting = pending { waiting.resume() } else { firstReadyContinuation.finish() }
                            pending = await iterator.next()  // nil: the test is over
                            guard pending != nil else { return }
                            try process.kill()
                            try await process.waitForExit(within: .seconds(10))
                        }
                        if pending == nil { return }
                    }
                } catch {
                    pending?.resume(throwing: error)
                    firstReadyContinuation.finish(throwing: error)
                }
            }
            defer {
                restarts.finish()
                group.cancelAll()
            }
            for try await _ in firstReady {}
            let result = try await body(RestartableService(name: product, port: port, restarts: restarts))
            restarts.finish()
            try await group.waitForAll()
            return result
        }
    }
}
