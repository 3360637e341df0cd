import Foundation
import PostgresNIO
import RedisClient

/// Freezes a test server with SIGSTOP, the way a stalled disk or a paused VM freezes it: its
/// sockets stay open and nothing answers.
public enum FrozenServer {
    /// Stops `pid` and its children (PostgreSQL serves each connection from a child of the
    /// postmaster), runs `body`, and continues them (SIGCONT) however `body` ends.
    public static func with<Result: Sendable>(pid: pid_t, _ body: () async throws -> Result) async throws -> Result {
        kill(pid, SIGSTOP)  // first, so that it forks no child after the list below
        let stopped = [pid] + children(of: pid)
        for child in stopped.dropFirst() { kill(child, SIGSTOP) }
        defer { for process in stopped.reversed() { kill(process, SIGCONT) } }
        return try await body()
    }

    /// The processes whose parent is `pid`, from `/proc/<pid>/stat` (field 4).
    static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let child = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let end = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid ? child : nil
        }
    }
}

extension TestPostgres {
    /// Runs `body` while the test PostgreSQL server is frozen (SIGSTOP), then resumes it.
    public static func frozen<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        let pid = try await withClient(configuration()) { client -> pid_t in
            // The postmaster's pid is the first line of postmaster.pid in the data directory.
            for try await folder in try await client.query("SHOW data_directory", logger: logger).decode(String.self) {
                let file = try String(contentsOfFile: folder + "/postmaster.pid", encoding: .utf8)
                if let pid = file.split(separator: "\n").first.flatMap({ pid_t($0) }) { return pid }
            }
            throw PostgresFreezeError()
        }
        return try await FrozenServer.with(pid: pid, body)
    }

    struct PostgresFreezeError: Error {}
}

extension TestRedis {
    /// Runs `body` while the test Redis server is frozen (SIGSTOP), then resumes it.
    public static func frozen<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        let info = try await withClient { client in try await client.send(RedisCommand("INFO", "server")) }
        guard case .bulkString(let bytes) = info,
            let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("process_id:") }),
            let pid = pid_t(line.dropFirst("process_id:".count))
        else { throw RedisFreezeError() }
        return try await FrozenServer.with(pid: pid, body)
    }

    struct RedisFreezeError: Error {}
}
