import AsyncHTTPClient
import Logging
import NIOCore
import PostgresNIO
import RedisClient

/// Asks a process whether it is ready, once.
struct ReadinessProbe: Sendable {
    let readiness: ProcessSpec.Readiness
    let httpClient: HTTPClient
    let logger: Logger

    /// Whether trying again can help: a refused connection can (the process is starting), a
    /// refused password cannot.
    enum Outcome: Sendable {
        case ready
        case notYet(String)
        case failed(String)
    }

    func check() async -> Outcome {
        do {
            switch readiness {
            case .redis(let host, let port, let password):
                try await pingRedis(host: host, port: port, password: password)
            case .postgres(let host, let port, let user, let password, let database):
                try await selectOne(host: host, port: port, user: user, password: password, database: database)
            case .http(let baseURL):
                let response = try await httpClient.execute(
                    HTTPClientRequest(url: baseURL + "/health/ready"), timeout: .seconds(2))
                guard response.status == .ok else { return .notYet("/health/ready answered \(response.status.code)") }
            }
            return .ready
        } catch let error as RedisError where error.code == .authenticationFailed {
            return .failed(error.message)
        } catch let error as PSQLError where error.code == .server {
            let message = error.serverInfo?[.message] ?? "\(error)"
            let starting = error.serverInfo?[.sqlState] == "57P03"  // the database system is starting up
            return starting ? .notYet(message) : .failed(message)
        } catch {
            return .notYet("\(error)")
        }
    }

    private func pingRedis(host: String, port: Int, password: String?) async throws {
        let client = RedisClient(
            configuration: .init(host: host, port: port, password: password, minimumConnections: 1),
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            try await client.ping()
        }
    }

    private func selectOne(host: String, port: Int, user: String, password: String?, database: String) async throws {
        let configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            _ = try await connection.query("SELECT 1", logger: logger).collect()
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
