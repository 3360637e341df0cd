import Testing

@testable import AppHost

@Suite struct StartOrderTests {
    private func spec(_ name: String, after dependencies: [String] = []) -> ProcessSpec {
        ProcessSpec(name: name, command: nil, dependencies: dependencies, readiness: .http(baseURL: "http://x"), url: name)
    }

    @Test func startsEveryProcessAfterItsDependencies() throws {
        let order = try startOrder([spec("basket", after: ["redis", "identity"]), spec("identity", after: ["postgres"]), spec("redis"), spec("postgres")])
        #expect(order.map(\.name) == ["redis", "postgres", "identity", "basket"])
    }

    @Test func keepsTheListedOrderWhereDependenciesAllowIt() throws {
        #expect(try startOrder([spec("a"), spec("b"), spec("c")]).map(\.name) == ["a", "b", "c"])
    }

    @Test func rejectsAnUnknownDependency() {
        #expect(throws: StartOrderError(message: "basket depends on unknown process catalog")) {
            try startOrder([spec("basket", after: ["catalog"])])
        }
    }

    @Test func rejectsACycle() {
        #expect(throws: StartOrderError(message: "dependency cycle among a, b")) {
            try startOrder([spec("a", after: ["b"]), spec("b", after: ["a"])])
        }
    }

    @Test func rendersTheStatusTableInAlignedColumns() {
        let table = StatusTable(rows: [.init(name: "redis", url: "redis://127.0.0.1:6379", state: "ready"), .init(name: "postgres", url: "postgres://127.0.0.1:5432/eshop", state: "ready")])
        #expect(table.render() == """
            NAME      URL                              STATE
            redis     redis://127.0.0.1:6379           ready
            postgres  postgres://127.0.0.1:5432/eshop  ready
            """)
    }

    @Test func listsTheStorefrontFirstAndStartsItLast() throws {
        let plain = [spec("redis"), spec("identity", after: ["redis"])]
        var storefront = spec("webapp", after: ["redis", "identity"])
        storefront.showFirst = true
        let order = try startOrder(plain + [storefront])
        #expect(order.map(\.name) == ["redis", "identity", "webapp"])
        #expect(StatusTable(ready: order).rows.map(\.name) == ["webapp", "redis", "identity"])
    }
}
