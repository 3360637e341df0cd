import Foundation
import StateClient
import Testing

/// The query rules, on every store with the query capability (and `unsupported` elsewhere).
@Suite(.timeLimit(.minutes(1))) struct ConformanceQueryTests {
    /// Five orders of one app, and one of another app that no query may return.
    private func seed(_ clients: [StateClient]) async throws {
        let orders = [
            "o1": #"{"city":"Seattle","total":9,"paid":true,"buyer":{"name":"alice"}}"#,
            "o2": #"{"city":"Portland","total":10,"paid":false,"buyer":{"name":"bob"}}"#,
            "o3": #"{"city":"Seattle","total":100.5,"paid":true,"buyer":{"name":"carol"}}"#,
            "o4": #"{"city":"Austin","total":0.1,"paid":false}"#,
            "o5": #"{"city":"seattle","total":"12","paid":true}"#,
        ]
        for (key, value) in orders { try await clients[0].save(key, bytes: json(value)) }
        try await clients[1].save("o9", bytes: json(#"{"city":"Seattle","total":9,"paid":true}"#))
    }

    private func keys(_ state: StateClient, _ query: StateQuery) async throws -> [String] {
        try await state.query(query).items.map(\.key)
    }

    private func run(_ kind: StoreKind, _ body: @Sendable (StateClient) async throws -> Void) async throws {
        try await withStateClients(kind, appIDs: ["shop-\(UUID().uuidString.prefix(6))", "other-\(UUID().uuidString.prefix(6))"]) { clients throws in
            try await seed(clients)
            try await body(clients[0])
        }
    }

    @Test(arguments: StoreKind.allCases.filter(\.hasQuery))
    func filtersWithEveryOperatorWithinTheCallersKeys(_ kind: StoreKind) async throws {
        try await run(kind) { state throws in
            // Without a sort, results come in key order.
            func q(_ filter: QueryFilter) -> StateQuery { StateQuery(filter: filter) }
            #expect(try await keys(state, q(.eq("city", .string("Seattle")))) == ["o1", "o3"])
            #expect(try await keys(state, q(.eq("buyer.name", .string("bob")))) == ["o2"])
            #expect(try await keys(state, q(.neq("city", .string("Seattle")))) == ["o2", "o4", "o5"])
            #expect(try await keys(state, q(.gt("total", .number(9)))) == ["o2", "o3"])
            #expect(try await keys(state, q(.gte("total", .number(9)))) == ["o1", "o2", "o3"])
            #expect(try await keys(state, q(.lt("total", .number(10)))) == ["o1", "o4"])
            #expect(try await keys(state, q(.lte("total", .number(10)))) == ["o1", "o2", "o4"])
            #expect(try await keys(state, q(.gt("city", .string("P")))) == ["o1", "o2", "o3", "o5"])
            #expect(try await keys(state, q(.in("city", [.string("Austin"), .string("Portland")]))) == ["o2", "o4"])
            #expect(try await keys(state, q(.eq("paid", .bool(false)))) == ["o2", "o4"])
            #expect(try await keys(state, q(.and([.eq("paid", .bool(true)), .gt("total", .number(50))]))) == ["o3"])
            #expect(try await keys(state, q(.or([.eq("city", .string("Austin")), .eq("buyer.name", .string("alice"))]))) == ["o1", "o4"])
            #expect(try await keys(state, StateQuery()) == ["o1", "o2", "o3", "o4", "o5"])
        }
    }

    @Test(arguments: StoreKind.allCases.filter(\.hasQuery))
    func sortsNumbersNumericallyAndPagesWithTokens(_ kind: StoreKind) async throws {
        try await run(kind) { state throws in
            // o5's total is the string "12": strings sort before numbers; o4 lacks nothing.
            #expect(try await keys(state, StateQuery(sort: [QuerySort("total")])) == ["o5", "o4", "o1", "o2", "o3"])
            #expect(try await keys(state, StateQuery(sort: [QuerySort("total", descending: true)])) == ["o3", "o2", "o1", "o4", "o5"])
            #expect(try await keys(state, StateQuery(sort: [QuerySort("buyer.name", descending: true)])) == ["o3", "o2", "o1", "o4", "o5"])

            var pages: [[String]] = []
            var token: String?
            repeat {
                let result = try await state.query(StateQuery(sort: [QuerySort("total")], limit: 2, token: token))
                pages.append(result.items.map(\.key))
                token = result.token
            } while token != nil
            #expect(pages == [["o5", "o4"], ["o1", "o2"], ["o3"]])
        }
    }

    @Test(arguments: StoreKind.allCases.filter(\.hasQuery))
    func returnsETagsThatWorkForWrites(_ kind: StoreKind) async throws {
        try await run(kind) { state throws in
            let found = try await state.query(StateQuery(filter: .eq("buyer.name", .string("alice"))))
            let item = try #require(found.items.first)
            try await state.save(item.key, bytes: json("{}"), options: SaveOptions(etag: item.etag))
        }
    }

    @Test(arguments: StoreKind.allCases.filter { !$0.hasQuery })
    func saysUnsupportedWithoutTheQueryCapability(_ kind: StoreKind) async throws {
        try await withStateClient(kind) { state throws in
            await #expect { try await state.query(StateQuery()) } throws: { ($0 as? StateError)?.code == .unsupported }
        }
    }
}
