import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceDefaults
import StateClient
import TestSupport
import Testing

@testable import Catalog

@Suite(.postgresReachable, .redisReachable, .timeLimit(.minutes(1))) struct CatalogReadTests {
    @Test func seedHasAtLeast30ItemsOver5BrandsAnd5TypesEachWithAPicture() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let brands = try await client.get("/api/v1/catalog/brands").decoded(as: [CatalogBrand].self)
                let types = try await client.get("/api/v1/catalog/types").decoded(as: [CatalogType].self)
                #expect(brands.count >= 5)
                #expect(types.count >= 5)
                let page = try await client.get("/api/v1/catalog/items?pageSize=100").decoded(as: PageBody.self)
                #expect(page.count >= 30)
                #expect(Set(page.items.map(\.catalogBrandId)).count >= 5)
                #expect(Set(page.items.map(\.catalogTypeId)).count >= 5)
                for item in page.items {
                    let picture = try await client.get("/api/v1/catalog/items/\(item.id)/pic")
                    #expect(picture.status == .ok)
                    #expect(picture.text.hasPrefix("<svg"))
                }
            }
        }
    }

    @Test func pagesAreOrderedByNameThenIdWithTheTotalCount() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let all = try await client.get("/api/v1/catalog/items?pageSize=100").decoded(as: PageBody.self).items
                #expect(all.map(\.name) == all.map(\.name).sorted())
                let response = try await client.get("/api/v1/catalog/items?pageIndex=1&pageSize=10")
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let page = try response.decoded(as: PageBody.self)
                #expect(page.pageIndex == 1)
                #expect(page.pageSize == 10)
                #expect(page.count == all.count)
                #expect(page.items.map(\.id) == all[10..<20].map(\.id))
                let past = try await client.get("/api/v1/catalog/items?pageIndex=50&pageSize=10").decoded(as: PageBody.self)
                #expect(past.items.isEmpty)
                #expect(past.count == all.count)
                let defaults = try await client.get("/api/v1/catalog/items").decoded(as: PageBody.self)
                #expect(defaults.pageIndex == 0 && defaults.pageSize == 10 && defaults.items.count == 10)
            }
        }
    }

    @Test func filtersByBrandTypeAndNamePrefix() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let byBrand = try await client.get("/api/v1/catalog/items?brandId=2&pageSize=100").decoded(as: PageBody.self)
                #expect(!byBrand.items.isEmpty && byBrand.items.allSatisfy { $0.catalogBrandId == 2 })
                #expect(byBrand.count == byBrand.items.count)
                let byType = try await client.get("/api/v1/catalog/items?typeId=3&brandId=2").decoded(as: PageBody.self)
                #expect(byType.items.allSatisfy { $0.catalogTypeId == 3 && $0.catalogBrandId == 2 })
                let byName = try await client.get("/api/v1/catalog/items?name=Harbor%20").decoded(as: PageBody.self)
                #expect(byName.count == 6)
                #expect(byName.items.allSatisfy { $0.name.hasPrefix("Harbor ") })
                let none = try await client.get("/api/v1/catalog/items?name=harbor").decoded(as: PageBody.self)
                #expect(none.count == 0)
            }
        }
    }

    @Test func badListingParametersAre400NamingTheParameter() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let cases = [
                    ("pageSize=0", "pageSize"), ("pageSize=101", "pageSize"), ("pageSize=ten", "pageSize"), ("pageIndex=-1", "pageIndex"),
                    ("brandId=x", "brandId"), ("typeId=0", "typeId"),
                    // PostgreSQL text cannot hold U+0000 (issue: a 500); 26 × "e" + U+0301 is 26 graphemes but 52 code points.
                    ("name=Alp%00ine", "name"), ("name=%00", "name"), ("name=" + String(repeating: "e%CC%81", count: 26), "name"),
                ]
                for (query, field) in cases {
                    let response = try await client.get("/api/v1/catalog/items?\(query)")
                    #expect(response.status == .badRequest, "\(query)")
                    #expect(response.headers[.contentType] == ProblemDetails.mediaType)
                    #expect(response.problemErrors[field] != nil, "\(query)")
                }
            }
        }
    }

    @Test func oneItemOr404() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let item = try await client.get("/api/v1/catalog/items/1").decoded(as: CatalogItem.self)
                #expect(item.id == 1)
                #expect(item.pictureFileName == "1.svg")
                #expect(try await client.get("/api/v1/catalog/items/9999").status == .notFound)
                #expect(try await client.get("/api/v1/catalog/items/abc").status == .badRequest)
            }
        }
    }

    @Test func byIdsReturnsTheItemsFound() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let found = try await client.get("/api/v1/catalog/items/by_ids?ids=3,1,9999").decoded(as: [CatalogItem].self)
                #expect(found.map(\.id) == [1, 3])
                let tooMany = (1...101).map(String.init).joined(separator: ",")
                for query in ["ids=1,x", "ids=1,,2", "ids=", "", "ids=\(tooMany)", "ids=-1"] {
                    let response = try await client.get("/api/v1/catalog/items/by_ids?\(query)")
                    #expect(response.status == .badRequest, "\(query)")
                    #expect(response.problemErrors["ids"] != nil, "\(query)")
                }
                let hundred = (1...100).map(String.init).joined(separator: ",")
                #expect(try await client.get("/api/v1/catalog/items/by_ids?ids=\(hundred)").status == .ok)
            }
        }
    }

    @Test func pictureHasContentTypeETagAndCacheControlAnd304() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let picture = try await client.get("/api/v1/catalog/items/2/pic")
                #expect(picture.status == .ok)
                #expect(picture.headers[.contentType] == "image/svg+xml")
                #expect(picture.headers[.cacheControl] == "public, max-age=3600")
                let etag = try #require(picture.headers[.eTag])
                #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
                let again = try await client.get("/api/v1/catalog/items/2/pic", headers: [.ifNoneMatch: "\"other\", \(etag)"])
                #expect(again.status == .notModified)
                #expect(again.body.readableBytes == 0)
                #expect(again.headers[.eTag] == etag)
                let changed = try await client.get("/api/v1/catalog/items/2/pic", headers: [.ifNoneMatch: "\"other\""])
                #expect(changed.status == .ok)
                #expect(try await client.get("/api/v1/catalog/items/9999/pic").status == .notFound)
                #expect(try await client.get("/api/v1/catalog/items/1/pic").headers[.eTag] != etag)
            }
        }
    }

    @Test func pricesAreExactEndToEnd() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let token = try await fixture.adminToken()
                var ids: [Int] = []
                for price in ["0.1", "0.2", "99999999.99"] {
                    let created = try await client.send(.post, "/api/v1/catalog/items", token: token, json: itemJSON(["price": price]))
                    #expect(created.status == .created)
                    #expect(JSONValue(json: Array(buffer: created.body))?.value(at: "price") == .number(try #require(JSONNumber(price))))
                    ids.append(try created.decoded(as: CatalogItem.self).id)
                }
                let items = try await client.get("/api/v1/catalog/items/by_ids?ids=\(ids[0]),\(ids[1])").decoded(as: [CatalogItem].self)
                let total = items.map(\.price).reduce(Decimal.zero, +)
                #expect(total == Decimal(string: "0.3"))
                let third = try await client.get("/api/v1/catalog/items/\(ids[2])")
                #expect(JSONValue(json: Array(buffer: third.body))?.value(at: "price") == .number(try #require(JSONNumber("99999999.99"))))
                var sum = ""
                for try await text in try await fixture.client.query(
                    "SELECT sum(price)::text FROM catalog.catalog_items WHERE id = ANY(\(Array(ids.prefix(2))))"
                ).decode(String.self) {
                    sum = text
                }
                #expect(sum == "0.30")
            }
        }
    }

    @Test func readinessChecksPostgres() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                #expect(try await client.get("/health/ready").status == .ok)
            }
        }
    }
}

/// The listing body as the tests read it.
struct PageBody: Decodable {
    var pageIndex: Int
    var pageSize: Int
    var count: Int
    var items: [CatalogItem]
}
