import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceDefaults
import TestSupport
import Testing

@testable import Catalog

@Suite(.postgresReachable, .redisReachable, .timeLimit(.minutes(1))) struct CatalogAdminTests {
    @Test func createReturns201WithLocationAndAGeneratedPicture() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let created = try await client.send(.post, "/api/v1/catalog/items", token: try await fixture.adminToken(), json: itemJSON())
                #expect(created.status == .created)
                let item = try created.decoded(as: CatalogItem.self)
                #expect(created.headers[.location] == "/api/v1/catalog/items/\(item.id)")
                #expect(item.name == "Test Thermos")
                #expect(item.price == Decimal(string: "19.99"))
                #expect(item.pictureFileName == "\(item.id).svg")
                #expect(try await client.get("/api/v1/catalog/items/\(item.id)").decoded(as: CatalogItem.self) == item)
                let picture = try await client.get("/api/v1/catalog/items/\(item.id)/pic")
                #expect(picture.status == .ok)
                #expect(picture.text.contains("Test Thermos"))
            }
        }
    }

    @Test func updateReplacesTheFieldsOr404() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let token = try await fixture.adminToken()
                let before = try await client.get("/api/v1/catalog/items/4/pic").headers[.eTag]
                let updated = try await client.send(
                    .put, "/api/v1/catalog/items/4", token: token, json: itemJSON(["name": #""Renamed Tee""#, "price": "5.05"]))
                #expect(updated.status == .ok)
                let item = try updated.decoded(as: CatalogItem.self)
                #expect(item.id == 4 && item.name == "Renamed Tee" && item.price == Decimal(string: "5.05"))
                #expect(try await client.get("/api/v1/catalog/items/4").decoded(as: CatalogItem.self) == item)
                #expect(try await client.get("/api/v1/catalog/items/4/pic").headers[.eTag] != before)
                #expect(try await client.send(.put, "/api/v1/catalog/items/9999", token: token, json: itemJSON()).status == .notFound)
            }
        }
    }

    @Test func deleteIs204Then404() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let token = try await fixture.adminToken()
                #expect(try await client.send(.delete, "/api/v1/catalog/items/7", token: token).status == .noContent)
                #expect(try await client.get("/api/v1/catalog/items/7").status == .notFound)
                #expect(try await client.get("/api/v1/catalog/items/7/pic").status == .notFound)
                #expect(try await client.send(.delete, "/api/v1/catalog/items/7", token: token).status == .notFound)
                #expect(try await fixture.count("SELECT count(*)::bigint FROM catalog.pictures WHERE file_name = '7.svg'") == 0)
            }
        }
    }

    @Test func validationErrorsNameEachField() async throws {
        try await CatalogFixture.with { fixture throws in
            try await fixture.test { client throws in
                let token = try await fixture.adminToken()
                let cases: [(String, Set<String>)] = [
                    ("{}", ["name", "price", "catalogTypeId", "catalogBrandId", "availableStock", "restockThreshold", "maxStockThreshold"]),
                    (itemJSON(["name": "\"\(String(repeating: "x", count: 51))\""]), ["name"]),
                    // PostgreSQL text cannot hold U+0000, and varchar(50) counts code points, not Swift's graphemes.
                    (itemJSON(["name": #""Alp\u0000ine""#]), ["name"]),
                    (itemJSON(["description": #""warm\u0000""#]), ["description"]),
                    (itemJSON(["name": "\"\(String(repeating: "e\u{301}", count: 26))\""]), ["name"]),
                    (itemJSON(["name": #""   ""#, "price": "-1"]), ["name", "price"]),
                    (itemJSON(["price": "1.005"]), ["price"]),
                    (itemJSON(["price": "100000000"]), ["price"]),
                    (itemJSON(["price": #""19.99""#, "availableStock": "-3"]), ["price", "availableStock"]),
                    (itemJSON(["catalogTypeId": "1.5", "restockThreshold": "true"]), ["catalogTypeId", "restockThreshold"]),
                    (itemJSON(["catalogBrandId": "999"]), ["catalogBrandId"]),
                    (itemJSON(["catalogTypeId": "999"]), ["catalogTypeId"]),
                ]
                for (body, fields) in cases {
                    for (method, uri) in [(HTTPRequest.Method.post, "/api/v1/catalog/items"), (.put, "/api/v1/catalog/items/1")] {
                        let response = try await client.send(method, uri, token: token, json: body)
                        #expect(response.status == .badRequest, "\(method) \(body)")
                        #expect(response.headers[.contentType] == ProblemDetails.mediaType)
                        #expect(Set(response.problemErrors.keys) == fields, "\(method) \(body)")
                    }
                }
                for body in ["not json", "[1,2]"] {
                    #expect(try await client.send(.post, "/api/v1/catalog/items", token: token, json: body).status == .badRequest)
                }
                #expect(try await client.get("/api/v1/catalog/items/1").decoded(as: CatalogItem.self).name != "Test Thermos")
                #expect(try await fixture.count("SELECT count(*)::bigint FROM catalog.catalog_items") == CatalogSeed.items.count)
            }
        }
    }

    /// No token, an expired one, one signed by another key, one for another audience, and a
    /// buyer's token: every admin route refuses each with the right status, and writes nothing.
    @Test func authorizationMatrix() async throws {
        try await CatalogFixture.with { fixture throws in
            let stranger = await TestSigningKey(kid: fixture.key.kid)
            let tokens: [(String, String?, HTTPResponse.Status)] = [
                ("no token", nil, .unauthorized),
                ("expired", try await fixture.key.token(role: "admin", expiresIn: -300), .unauthorized),
                ("another key", try await stranger.token(role: "admin"), .unauthorized),
                ("wrong audience", try await fixture.key.token(role: "admin", audience: "basket"), .unauthorized),
                ("buyer", try await fixture.buyerToken(), .forbidden),
            ]
            let routes: [(HTTPRequest.Method, String)] = [(.post, "/api/v1/catalog/items"), (.put, "/api/v1/catalog/items/1"), (.delete, "/api/v1/catalog/items/1")]
            try await fixture.test { client throws in
                for (name, token, status) in tokens {
                    for (method, uri) in routes {
                        let response = try await client.send(method, uri, token: token, json: itemJSON())
                        #expect(response.status == status, "\(name): \(method) \(uri)")
                        #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(name)")
                    }
                }
                #expect(try await client.get("/api/v1/catalog/items/1").status == .ok)
                #expect(try await fixture.count("SELECT count(*)::bigint FROM catalog.catalog_items") == CatalogSeed.items.count)
            }
        }
    }
}
