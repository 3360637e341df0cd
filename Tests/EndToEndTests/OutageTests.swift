import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// Issue 12, class 6: with PostgreSQL or Redis frozen (SIGSTOP), every service answers within
/// 2 s: a 503 with `Retry-After` where it needs the frozen server, a 2xx where it does not
/// (the state sidecar included). When
/// the server resumes, every service recovers without a restart.
@Suite(.postgresReachable, .redisReachable, .timeLimit(.minutes(3)))
struct OutageTests {
    /// One request of the sweep: what it asks, and whether it needs the frozen server.
    struct Probe: Sendable {
        var name: String
        var needsFrozenServer: Bool
        /// The sidecar answers with Dapr's error body (`application/json`), the services with problem+json.
        var isSidecar = false
        var send: @Sendable () async throws -> HTTP.Answer
    }

    static func probes(_ system: EndToEndSystem, sidecar: TestSidecar, token: String, frozen: String) -> [Probe] {
        let postgres = frozen == "PostgreSQL"
        return [
            Probe(name: "Identity token", needsFrozenServer: postgres) {
                try await HTTP.send(.POST, system.identity.baseURL + "/connect/token", form: "grant_type=password&username=alice&password=Pass123%24")
            },
            Probe(name: "Catalog items", needsFrozenServer: postgres) { try await HTTP.send(.GET, system.catalog.baseURL + "/api/v1/catalog/items") },
            Probe(name: "Catalog item", needsFrozenServer: postgres) { try await HTTP.send(.GET, system.catalog.baseURL + "/api/v1/catalog/items/1") },
            Probe(name: "Catalog brands", needsFrozenServer: postgres) { try await HTTP.send(.GET, system.catalog.baseURL + "/api/v1/catalog/brands") },
            Probe(name: "Ordering orders", needsFrozenServer: postgres) {
                try await HTTP.send(.GET, system.ordering.baseURL + "/api/v1/orders", token: token)
            },
            Probe(name: "Basket", needsFrozenServer: !postgres) { try await HTTP.send(.GET, system.basket.baseURL + "/api/v1/basket", token: token) },
            Probe(name: "sidecar orderstore", needsFrozenServer: postgres, isSidecar: true) {
                try await HTTP.send(.GET, sidecar.baseURL + "/v1.0/state/orderstore/some-order")
            },
            Probe(name: "sidecar statestore", needsFrozenServer: !postgres, isSidecar: true) {
                try await HTTP.send(.GET, sidecar.baseURL + "/v1.0/state/statestore/some-key")
            },
        ]
    }

    /// Asks every probe while `freeze` holds the server, then again until all answer 200.
    static func sweep(_ frozen: String, freeze: @escaping @Sendable (() async throws -> Void) async throws -> Void) async throws {
        let components = [
            "statestore.yaml": TestSidecar.redisComponent(),
            "orderstore.yaml": TestSidecar.postgresComponent(named: "orderstore", tableName: "outage_\(UUID().uuidString.prefix(8).lowercased())"),
        ]
        try await EndToEndSystem.with { system in try await TestSidecar.with(appID: "outage-test", components: components) { sidecar in
            let token = try await system.token("alice")
            try await system.putBasket([(1, 1)], token: token)
            let probes = probes(system, sidecar: sidecar, token: token, frozen: frozen)
            try await freeze {
                for probe in probes {
                    let started = ContinuousClock.now
                    let answer = try await probe.send()
                    let elapsed = ContinuousClock.now - started
                    #expect(elapsed < .seconds(2), "\(probe.name) took \(elapsed) with \(frozen) frozen")
                    if probe.needsFrozenServer {
                        #expect(answer.status == .serviceUnavailable, "\(probe.name) with \(frozen) frozen: \(answer)")
                        #expect(answer.headers.first(name: "Retry-After") != nil, "\(probe.name): no Retry-After")
                        #expect(answer.headers.first(name: "Content-Type") == (probe.isSidecar ? "application/json" : "application/problem+json"))
                    } else {
                        #expect(answer.status.code < 300, "\(probe.name) does not need \(frozen): \(answer)")
                    }
                }
            }
            for probe in probes {
                try await eventually("\(probe.name) to recover after \(frozen) resumed", within: .seconds(15)) {
                    let answer = try await probe.send()
                    guard answer.status.code < 300 else { throw EndToEndError("\(probe.name): \(answer)") }
                }
            }
        } }
    }

    @Test func aFrozenPostgreSQLGives503sWithinTwoSeconds() async throws {
        try await Self.sweep("PostgreSQL") { body in try await TestPostgres.frozen(body) }
    }

    @Test func aFrozenRedisGives503sWithinTwoSeconds() async throws {
        try await Self.sweep("Redis") { body in try await TestRedis.frozen(body) }
    }
}
