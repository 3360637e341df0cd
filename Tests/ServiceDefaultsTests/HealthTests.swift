import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import RedisClient
import ServiceDefaults
import StateClient
import Synchronization
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(1))) struct HealthTests {
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

    /// HEAD works wherever GET does: the same status and headers, no body (RFC 9110 §9.3.2).
    @Test func answersHeadLikeGetWithoutABody() async throws {
        try await makeApplication([HealthCheck(name: "a") {}]).test(.router) { client in
            let get = try await client.execute(uri: "/health/ready", method: .get)
            let head = try await client.execute(uri: "/health/ready", method: .head)
            #expect(head.status == get.status)
            #expect(head.headers[.contentType] == get.headers[.contentType])
            #expect(head.headers[.contentLength] == String(get.body.readableBytes))
            #expect(head.body.readableBytes == 0)
        }
    }

    @Test func isReadyWhenEveryDependencyAnswers() async throws {
        try await makeApplication([HealthCheck(name: "a") {}, HealthCheck(name: "b") {}]).test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(JSONValue(json: Array(buffer: response.body))?.value(at: "status") == .string("ready"))
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

    @Test(.redisReachable, .postgresReachable) func checksRealRedisAndPostgreSQL() async throws {
        let reader = try await ConfigReader.service(arguments: [])
        let logger = Logger(label: "health-test")
        let redis = RedisClient(configuration: try .init(reader: reader), logger: logger)
        let postgres = PostgresClient(configuration: try .init(reader: reader), backgroundLogger: logger)
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

@Suite(.timeLimit(.minutes(1))) struct WaitUntilHealthyTests {
    final class Attempts: Sendable {
        private let count = Mutex(0)
        func next() -> Int { count.withLock { $0 += 1; return $0 } }
    }

    @Test func retriesADependencyThatIsStillStarting() async throws {
        let attempts = Attempts()
        let starting = HealthCheck(name: "redis") {
            if attempts.next() < 3 { throw RedisError(.connectionFailed, "refused") }
        }
        try await HealthCheck.waitUntilHealthy([starting], within: .seconds(5))
        #expect(attempts.next() == 4)
    }

    @Test func givesUpAtTheDeadlineNamingTheDependency() async {
        let down = HealthCheck(name: "postgres") { throw RedisError(.connectionFailed, "refused") }
        await #expect { try await HealthCheck.waitUntilHealthy([down], within: .milliseconds(300)) } throws: { error in
            "\(error)".hasPrefix("postgres: not reachable within")
        }
    }

    @Test func failsAtOnceWhenThePasswordIsRefused() async {
        let attempts = Attempts()
        let refused = HealthCheck(name: "redis") {
            _ = attempts.next()
            throw RedisError(.authenticationFailed, "Redis refused the password")
        }
        await #expect(throws: DependencyError.self) { try await HealthCheck.waitUntilHealthy([refused], within: .seconds(30)) }
        #expect(attempts.next() == 2)
    }
}
