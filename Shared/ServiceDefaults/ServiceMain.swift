import Foundation
import NIOCore
import NIOPosix

/// The top of every executable: runs `body` on NIO's event loops, and when it fails prints
/// exactly one line naming the problem to standard error and exits with status 1 — no crash
/// trace, no hang.
///
/// ```swift
/// @main struct App {
///     static func main() async {
///         await ServiceMain.run("basket-api") { try await buildApplication(reader: .service()).runService() }
///     }
/// }
/// ```
public enum ServiceMain {
    /// Where a process's I/O and Swift tasks run. Either way NIO's event loops also become Swift
    /// concurrency's global executor (as Vapor's template does): a handler resumed by a socket
    /// read keeps running on that socket's event loop instead of waking another thread to run it
    /// and a third to write its answer. The price: code on the global executor must never block,
    /// which holds here (bcrypt runs on `NIOThreadPool`, swift-subprocess waits for child
    /// processes without blocking). Figures in docs/performance.md.
    public enum Threading: Sendable {
        /// One event loop per core; for services that must use every core (the default).
        case eventLoopPerCore
        /// One event loop for all I/O, and every task of `body` prefers it as its task executor
        /// (``EventLoopTaskExecutor``), so an `await` never leaves that thread: the least latency
        /// per request, at most one core. For the state sidecar.
        case singleEventLoop
    }

    /// Runs `body` (threaded as `threading` says; call it first thing in `main`), with
    /// ``ServiceMetrics`` bootstrapped.
    @MainActor
    public static func run(_ name: String, threading: Threading = .eventLoopPerCore, _ body: @Sendable () async throws -> Void) async {
        if threading == .singleEventLoop { NIOSingletons.groupLoopCountSuggestion = 1 }
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        ServiceMetrics.bootstrap()
        do {
            switch threading {
            case .eventLoopPerCore:
                try await body()
            case .singleEventLoop:
                try await withTaskExecutorPreference(EventLoopTaskExecutor(MultiThreadedEventLoopGroup.singleton.next()), operation: body)
            }
        } catch {
            FileHandle.standardError.write(Data("\(name): error: \(oneLine(error))\n".utf8))
            exit(1)
        }
    }

    /// An error's description folded onto one line.
    public static func oneLine(_ error: any Error) -> String {
        "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
