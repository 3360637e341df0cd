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
        var started: [ManagedProcess] = []
        do {
            for spec in specs {
                let process = try spec.command.map {
                    try ManagedProcess(name: spec.name, command: $0, environment: spec.environment, output: output)
                }
                if let process { started.append(process) }
                try await waitUntilReady(spec, process: process)
                if spec.name == "postgres" { try await ensureDatabase() }
            }
        } catch {
            await stop(started)
            if error is CancellationError { return }
            throw error
        }
        output.note(StatusTable(rows: specs.map { .init(name: $0.name, url: $0.url, state: "ready") }).render())
        output.note("All \(specs.count) processes are ready. Press Ctrl-C to stop them.")

        let exited = await waitForShutdownOrExit(of: started)
        if let exited {
            throw ProcessExitedError(name: exited.name, status: exited.status, lastLines: exited.lastLines)
        }
        output.note("Stopped.")
    }

    /// Polls the process' readiness until it answers, exits, refuses us for good, or time runs out.
    private func waitUntilReady(_ spec: ProcessSpec, process: ManagedProcess?) async throws {
        let probe = ReadinessProbe(readiness: spec.readiness, httpClient: .shared, logger: logger)
        let deadline = ContinuousClock.now + settings.readyTimeout
        var lastProblem = "no answer yet"
        while ContinuousClock.now < deadline {
            if Task.isShuttingDownGracefully { throw CancellationError() }
            if let process, let status = process.exitStatus {
                throw ProcessExitedError(name: spec.name, status: status, lastLines: process.lastLines)
            }
            switch await probe.check() {
            case .ready:
                return
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
        defer { Task { try? await connection.close() } }
        let name = settings.postgresDatabase
        let existing = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger).collect()
        if existing.isEmpty {
            // An identifier cannot be a bind parameter; AppHostSettings allows only [A-Za-z0-9_].
            _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""), logger: logger).collect()
            output.note("Created database \(name).")
        }
    }

    private struct Exit {
        var name: String
        var status: Int32
        var lastLines: [String]
    }

    /// Waits for graceful shutdown (then returns `nil`) or for a process to exit on its own;
    /// either way every process is stopped before this returns.
    private func waitForShutdownOrExit(of processes: [ManagedProcess]) async -> Exit? {
        await withTaskGroup(of: Exit?.self) { group in
            group.addTask {
                try? await gracefulShutdown()
                return nil
            }
            for process in processes {
                group.addTask {
                    let status = await process.waitForExit()
                    return Exit(name: process.name, status: status, lastLines: process.lastLines)
                }
            }
            let first = await group.next() ?? nil
            await stop(processes)
            group.cancelAll()
            return first
        }
    }

    private func stop(_ processes: [ManagedProcess]) async {
        for process in processes.reversed() {
            await process.stop(grace: .seconds(10))
        }
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
