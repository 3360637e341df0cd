import AsyncHTTPClient
import Logging
import PostgresNIO
import ServiceLifecycle

/// Starts every process of the plan in dependency order, waits for each to be ready, prints the
/// table, and stops everything in reverse order on SIGINT/SIGTERM — or when one process dies.
struct AppHost: Service {
    let settings: AppHostSettings
    let specs: [ProcessSpec]
    let logger: Logger
    let output: LineOutput

    func run() async throws {
        let outcome: Outcome
        do {
            outcome = try await start(specs[...], running: [])
        } catch is CancellationError {
            return  // shut down while starting
        }
        switch outcome {
        case .stopped:
            output.note("Stopped.")
        case .exited(let name, let status, let lastLines):
            throw ProcessExitedError(name: name, status: status ?? -1, lastLines: lastLines)
        }
    }

    /// How the processes ended: all stopped on request, or one exited on its own.
    private enum Outcome: Sendable {
        case stopped
        /// `status` is `nil` until the process' own `start` level, which knows it, fills it in.
        case exited(name: String, status: Int32?, lastLines: [String])
    }

    /// Starts the first of `remaining`, waits until it is ready, and recurses into the rest; the
    /// innermost level serves until shutdown. Nesting stops the processes in reverse order.
    private func start(_ remaining: ArraySlice<ProcessSpec>, running: [ManagedProcess]) async throws -> Outcome {
        guard let spec = remaining.first else { return await serve(running) }
        guard let command = spec.command else {
            if let exited = try await waitUntilReady(spec, process: nil) { return exited }
            if spec.name == "postgres" { try await ensureDatabase() }
            return try await start(remaining.dropFirst(), running: running)
        }
        let (outcome, status) = try await ManagedProcess.run(
            name: spec.name, command: command, environment: spec.environment, output: output, grace: .seconds(10)
        ) { process in
            if let exited = try await waitUntilReady(spec, process: process) { return exited }
            if spec.name == "postgres" { try await ensureDatabase() }
            return try await start(remaining.dropFirst(), running: running + [process])
        }
        if case .exited(spec.name, nil, let lastLines) = outcome {
            return .exited(name: spec.name, status: status.shellStatus, lastLines: lastLines)
        }
        return outcome
    }

    /// Prints the table and waits for graceful shutdown or for a process to exit on its own.
    private func serve(_ running: [ManagedProcess]) async -> Outcome {
        output.note(StatusTable(ready: specs).render())
        output.note("All \(specs.count) processes are ready. Press Ctrl-C to stop them.")
        return await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                try? await gracefulShutdown()
                return .stopped
            }
            for process in running {
                group.addTask {
                    await process.waitForExit()
                    return .exited(name: process.name, status: nil, lastLines: process.lastLines)
                }
            }
            let first = await group.next() ?? .stopped
            group.cancelAll()
            return first
        }
    }

    /// Polls the process' readiness until it answers (`nil`), exits (its outcome), refuses us for
    /// good, or time runs out (both thrown).
    private func waitUntilReady(_ spec: ProcessSpec, process: ManagedProcess?) async throws -> Outcome? {
        let probe = ReadinessProbe(readiness: spec.readiness, httpClient: .shared, logger: logger)
        let deadline = ContinuousClock.now + settings.readyTimeout
        var lastProblem = "no answer yet"
        while ContinuousClock.now < deadline {
            if Task.isShuttingDownGracefully { throw CancellationError() }
            if let process, process.hasExited {
                return .exited(name: spec.name, status: nil, lastLines: process.lastLines)
            }
            switch await probe.check() {
            case .ready:
                return nil
            case .failed(let reason):
                throw NotReadyError(name: spec.name, url: spec.url, reason: reason)
            case .notYet(let reason):
                lastProblem = reason
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw NotReadyError(name: spec.name, url: spec.url, reason: "not ready within \(settings.readyTimeout): \(lastProblem)")
    }

    /// Creates the application database on first start (PostgreSQL has only `postgres`).
    private func ensureDatabase() async throws {
        let configuration = PostgresConnection.Configuration(
            host: settings.postgresHost, port: settings.postgresPort, username: settings.postgresUser,
            password: settings.postgresPassword, database: "postgres", tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let name = settings.postgresDatabase
            let existing = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger).collect()
            if existing.isEmpty {
                // An identifier cannot be a bind parameter; AppHostSettings allows only [A-Za-z0-9_].
                _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""), logger: logger).collect()
                output.note("Created database \(name).")
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

struct ProcessExitedError: Error, CustomStringConvertible {
    var name: String
    var status: Int32
    var lastLines: [String]
    var description: String {
        let tail = lastLines.last.map { ": \($0)" } ?? ""
        return "\(name) exited with status \(status)\(tail)"
    }
}

struct NotReadyError: Error, CustomStringConvertible {
    var name: String
    var url: String
    var reason: String
    var description: String { "\(name) at \(url) is not usable: \(reason)" }
}
