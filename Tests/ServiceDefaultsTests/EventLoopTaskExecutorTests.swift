import NIOCore
import NIOPosix
import ServiceDefaults
import Testing

@Suite(.timeLimit(.minutes(1))) struct EventLoopTaskExecutorTests {
    /// Whether the caller runs on `eventLoop`'s thread, checked after an `await` that suspends.
    private func runsOn(_ eventLoop: any EventLoop) async -> Bool {
        try? await Task.sleep(for: .milliseconds(1))
        return eventLoop.inEventLoop
    }

    @Test func tasksThatPreferItAndTheirChildrenRunOnTheEventLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let eventLoop = group.next()
        let (parent, children) = await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop)) {
            let parent = await runsOn(eventLoop)
            let children = await withTaskGroup(of: Bool.self) { tasks in
                for _ in 0..<4 { tasks.addTask { await runsOn(eventLoop) } }
                return await tasks.reduce(into: [Bool]()) { $0.append($1) }
            }
            return (parent, children)
        }
        #expect(parent)
        #expect(children == [true, true, true, true])
        #expect(await runsOn(eventLoop) == false)
        try await group.shutdownGracefully()
    }
}
