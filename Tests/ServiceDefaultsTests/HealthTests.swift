import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import RedisClient
import ServiceDefaults
import Testing

@Suite struct HealthTests {
    struct Down: Error, CustomStringConvertible { var description: String { "refused" } }

    private func makeApplication(_ checks: [HealthCheck]) -> some ApplicationProtocol {
        Application(router: Router.service(context: BasicRequestContext.self, healthChecks: checks))
    }

    @Test func isLiveWithoutAskingAnyDependency() async throws {
        try await makeApplication([HealthCheck(name: "never") { throw Down() }]).test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func isReadyWhenEveryDependencyAnswers() async throws {
        try await makeApplication([HealthCheck(name: "a") {}, HealthCheck(name: "b") {}]).test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""status":"ready""#))
            }
        }
    }

    @Test func namesEachFailingDependencyIn503() async throws {
        let hanging = HealthCheck(name: "slow") { try await Task.sleep(for: .seconds(30)) }
        let checks = [HealthCheck(name: "ok") {}, HealthCheck(name: "redis") { throw Down() }, hanging]
        let app = Application(router: {
            let router = Router(context: BasicRequestContext.self)
            router.add(middleware: ProblemMiddleware())
            router.addRoutes(HealthController<BasicRequestContext>(checks: checks, timeout: .milliseconds(100)).endpoints)
            return router
        }())
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.contentType] == "application/problem+json")
                let body = String(buffer: response.body)
                #expect(body.contains("not ready: redis, slow"))
                #expect(body.contains("refused"))
            }
        }
    }

    @Test func checksRealRedisAndPostgreSQL() async throws {
        let environment = ProcessInfo.processInfo.environment
        let reader = try await ConfigReader.service(arguments: [])
        let logger = Logger(label: "health-test")
        let redis = RedisClient(configuration: try .init(reader: reader), logger: logger)
        let postgres = PostgresClient(configuration: try .init(reader: reader), backgroundLogger: logger)
        #expect(environment["REDIS_PORT"] != nil, "scripts/test sets REDIS_PORT")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await redis.run() }
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            try await makeApplication([.redis(redis), .postgres(postgres)]).test(.router) { client in
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }
}
