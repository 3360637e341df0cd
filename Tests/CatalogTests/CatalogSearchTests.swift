import EventBus
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceDefaults
import TestSupport
import Testing

@testable import Catalog

/// `withsemanticrelevance`: its inputs, the worker's order, and the name search Catalog falls
/// back to (the fixture's `MODEL_WORKER_URL` names a port nothing listens on). The model worker
/// itself ranks in the end-to-end `SemanticSearchTests`.
@Suite(.postgresReachable, .redisReachable, .timeLimit(.minutes(1))) struct CatalogSearchTests {
    /// A ranking given by the test: the model worker's answer without the worker.
    struct FixedRanking: SemanticRanking {
        var ids: [Int]
        func rank(_ text: String, limit: Int) async throws -> [Int] { Array(ids.prefix(limit)) }
    }

    @Test func badTextOrPagingIs400NamingTheParameter() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let cases: [(String, String)] = [
                    ("", "text"), ("text=", "text"), ("text=%20%09", "text"), ("text=" + String(repeating: "a", count: 501), "text"),
                    ("text=a%00b", "text"), ("text=cap&pageSize=0", "pageSize"), ("text=cap&pageSize=101", "pageSize"),
                    ("text=cap&pageIndex=-1", "pageIndex"), ("text=cap&pageIndex=x", "pageIndex"),
                ]
                for (query, field) in cases {
                    let answer = try await client.get("/api/v1/catalog/items/withsemanticrelevance?" + query)
                    #expect(answer.status == .badRequest, "\(query)")
                    #expect(answer.headers[.contentType] == ProblemDetails.mediaType)
                    #expect(answer.problemErrors[field] != nil, "\(query): \(answer.text)")
                }
                let longest = try await client.get("/api/v1/catalog/items/withsemanticrelevance?text=" + String(repeating: "é", count: 500))
                #expect(longest.status == .ok)
            }
        }
    }

    @Test func withoutTheWorkerItSearchesNameAndDescriptionAndSaysSo() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let token = try await fixture.adminToken()
                let json = itemJSON(["name": #""Plain Box""#, "description": #""A 100% Recycled CARDBOARD_box""#])
                let created = try await client.send(.post, "/api/v1/catalog/items", token: token, json: json).decoded(as: CatalogItem.self)
                let answer = try await client.get("/api/v1/catalog/items/withsemanticrelevance?text=cardboard_BOX&pageSize=5")
                #expect(answer.status == .ok)
                #expect(answer.headers[CatalogSearchController.searchMode] == "name")
                let page = try answer.decoded(as: PageBody.self)
                #expect(page.items.map(\.id) == [created.id])
                #expect(page.count == 1)
                // `%` is matched as itself, not as a wildcard.
                let percent = try await client.get("/api/v1/catalog/items/withsemanticrelevance?text=100%25%20recycled").decoded(as: PageBody.self)
                #expect(percent.items.map(\.id) == [created.id])
                let wildcard = try await client.get("/api/v1/catalog/items/withsemanticrelevance?text=1%25cycled").decoded(as: PageBody.self)
                #expect(wildcard.items.isEmpty && wildcard.count == 0)
            }
        }
    }

    @Test func semanticResultsComeInTheWorkersOrderPagedAndWithoutUnknownIds() async throws {
        try await CatalogFixture.with { fixture throws in
            let router = buildRouter(
                repository: fixture.repository, ranking: FixedRanking(ids: [5, 3, 9_999, 1, 2]), verifier: fixture.key.verifier,
                openAPIDocument: "", healthChecks: [])
            try await Application(router: router).test(.router) { client in
                let first = try await client.get("/api/v1/catalog/items/withsemanticrelevance?text=anything&pageSize=3")
                #expect(first.headers[CatalogSearchController.searchMode] == "semantic")
                let page = try first.decoded(as: PageBody.self)
                #expect(page.items.map(\.id) == [5, 3])  // 9999 is ranked but gone from the catalog
                #expect(page.count == 5)
                let second = try await client.get("/api/v1/catalog/items/withsemanticrelevance?text=anything&pageSize=3&pageIndex=1")
                #expect(try second.decoded(as: PageBody.self).items.map(\.id) == [1, 2])
                let past = try await client.get("/api/v1/catalog/items/withsemanticrelevance?text=anything&pageSize=3&pageIndex=7")
                #expect(try past.decoded(as: PageBody.self).items.isEmpty)
            }
        }
    }

    /// The catalog's own events: each write adds its event to `catalog.outbox` in its transaction.
    @Test func createUpdateAndDeleteWriteTheirEventsInTheirTransaction() async throws {
        try await CatalogFixture.with { fixture in
            let outbox = CatalogOutbox(client: fixture.client, logger: TestPostgres.logger)
            let repository = fixture.repository
            var fields = CatalogItemFields(
                name: "Wool Hat", description: "Warm.", price: 12, catalogTypeId: 1, catalogBrandId: 1, availableStock: 1, restockThreshold: 0,
                maxStockThreshold: 5)
            let item = try await repository.create(fields)
            fields.description = "Very warm."
            _ = try await repository.update(id: item.id, fields)
            #expect(try await repository.delete(id: item.id))
            #expect(try await repository.update(id: item.id, fields) == nil)
            #expect(try await repository.delete(id: item.id) == false)
            fields.catalogBrandId = 9_999
            await #expect(throws: CatalogReferenceError.self) { try await repository.create(fields) }

            let envelopes = try await outbox.pending(limit: 100).map(\.envelope)
            #expect(envelopes.map(\.topic) == ["CatalogItemCreated", "CatalogItemUpdated", "CatalogItemDeleted"])
            let created = try envelopes[0].event(as: CatalogItemCreated.self)
            #expect(created.productId == item.id && created.name == "Wool Hat" && created.description == "Warm." && created.price == 12)
            #expect(try envelopes[1].event(as: CatalogItemUpdated.self).description == "Very warm.")
            #expect(try envelopes[2].event(as: CatalogItemDeleted.self).productId == item.id)
        }
    }
}
