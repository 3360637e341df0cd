import AsyncHTTPClient
import Foundation
import ServiceDefaults
import Subprocess

/// A child process started now and ended later, for tests whose processes start and stop at
/// moments of their own (replicas that come and go, a process killed mid-download and started
/// again), where one closure cannot hold each process's lifetime. A task of its own runs
/// ``RunningProcess/run(_:environment:grace:onLine:onClose:_:)`` — the same swift-subprocess path
/// as everything else — until the process exits or ``terminate()`` is called; nothing outlives the
/// test that awaits ``terminate()`` or ``waitForExit()``.
public final class BackgroundTestProcess: Sendable {
    public let name: String
    /// What the process printed so far (standard output and standard error, line by line).
    public let output: CollectedLines
    private let events: AsyncStream<Event>.Continuation
    private let run: Task<TerminationStatus?, Never>

    private enum Event: Sendable {
        case signal(Signal)
        case end
    }

    /// Starts `command` with this process' environment plus `environment`; on ``terminate()`` the
    /// process gets SIGTERM and, after `grace`, SIGKILL.
    public init(_ command: [String], environment: [String: String] = [:], grace: Duration = .seconds(10)) {
        name = URL(fileURLWithPath: command[0]).lastPathComponent
        let output = CollectedLines()
        self.output = output
        let (stream, events) = AsyncStream<Event>.makeStream()
        self.events = events
        run = Task {
            do {
                return try await RunningProcess.run(
                    command, environment: environment, grace: grace, onLine: output.append,
                    onClose: {
                        output.close()
                        events.yield(.end)
                    }
                ) { process in
                    for await event in stream {
                        switch event {
                        case .signal(let signal): try? process.send(signal)
                        case .end: return
                        }
                    }
                }.status
            } catch {
                output.append("(\(command[0]) could not start: \(error))")
                output.close()
                return nil
            }
        }
    }

    /// Whether the process has exited (it closed its output).
    public var hasExited: Bool { output.isClosed }

    /// Sends `signal` to the process.
    public func send(_ signal: Signal) { events.yield(.signal(signal)) }

    /// Waits until the process exits by itself; its status in the shell's convention (`nil`
    /// when it could not start).
    public func waitForExit() async -> Int32? { await run.value?.shellStatus }

    /// SIGKILL, and waits until the process is gone.
    public func kill() async -> Int32? {
        send(.kill)
        return await waitForExit()
    }

    /// SIGTERM (SIGKILL after the grace period), and waits until the process is gone.
    @discardableResult
    public func terminate() async -> Int32? {
        events.yield(.end)
        return await waitForExit()
    }
}

/// One of our executables as a ``BackgroundTestProcess`` on a free port, ready (`GET readyPath`
/// answered 200) once the initializer returns.
public final class BackgroundTestService: Sendable {
    public let port: Int
    public let process: BackgroundTestProcess
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// What the process printed so far.
    public var printed: [String] { process.output.all }

    public init(_ product: String, environment: [String: String], readyPath: String = "/health/ready", within timeout: Duration = .seconds(60)) async throws {
        let port = try await TestRedis.freePort()
        self.port = port
        var environment = environment
        environment["HTTP_HOST"] = "127.0.0.1"
        environment["HTTP_PORT"] = String(port)
        environment["LOG_LEVEL"] = environment["LOG_LEVEL"] ?? "warning"
        let process = BackgroundTestProcess([BuiltProducts.path(product)], environment: environment, grace: .seconds(5))
        self.process = process
        do {
            try await eventually("\(product) to answer 200 on \(readyPath)", within: timeout) {
                if process.hasExited { throw ExitedEarly(name: product, printed: process.output.all) }
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(readyPath)"), timeout: .seconds(2))
                guard response.status == .ok else { throw NotReady(status: response.status.code) }
            }
        } catch {
            await process.terminate()
            throw error
        }
    }

    /// SIGTERM (SIGKILL after 5 s), and waits until the process is gone.
    public func stop() async { await process.terminate() }
}
