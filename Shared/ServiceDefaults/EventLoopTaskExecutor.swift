import NIOCore

/// An event loop as a Swift task executor: the jobs of tasks that prefer it
/// (`withTaskExecutorPreference`) run on the loop's thread, beside the I/O they wait for.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
