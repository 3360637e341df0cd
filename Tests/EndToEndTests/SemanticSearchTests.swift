import Foundation
import StateClient
import TestSupport
import Testing

/// The real model files, fetched by the scripts (scripts/lib/models.sh); `nil` without them.
let modelFilesFolder: String? = ProcessInfo.processInfo.environment["MODEL_FILES_DIR"].flatMap { folder in
    FileManager.default.fileExists(atPath: folder + "/model.safetensors") ? folder : nil
}

/// Semantic search across processes: Catalog (its SQL outbox, its `withsemanticrelevance`), the
/// model store and the model worker with the real all-MiniLM-L6-v2 (its index follows Catalog's
/// item events), over a throwaway database and the test Redis.
@Suite(
    .serialized, .redisReachable, .postgresReachable, .enabled(if: modelFilesFolder != nil, "needs MODEL_FILES_DIR (scripts/test fetches the model)"),
    .timeLimit(.minutes(4)))
struct SemanticSearchTests {
    static let telescope = #"{"name":"Stargazer Telescope","description":"A refracting telescope for watching the planets and the night sky.","price":149,"catalogTypeId":3,"catalogBrandId":1,"availableStock":5,"restockThreshold":1,"maxStockThreshold":10}"#
    static let telescopeQuery = "look%20at%20the%20moon%20and%20distant%20stars"

    /// The `index` object of the worker's `/health/ready`, once it reports `state: ready`.
    func readyIndex(_ worker: TestServiceProcess) async throws -> [UTF8Key: JSONValue] {
        try await eventually("the catalog index to be ready", within: .seconds(120)) {
            let answer = try await HTTP.send(.GET, worker.baseURL + "/health/ready")
            guard case .object(let index)? = answer.json?.value(at: "index"), index["state"] == .string("ready") else {
                throw EndToEndError("index not ready: \(answer)")
            }
            return index
        }
    }

    /// Catalog's semantic search: the mode it answered with and the item ids.
    func catalogSearch(_ catalog: TestServiceProcess, _ text: String) async throws -> (mode: String?, ids: [Int], names: [String]) {
        let answer = try await HTTP.send(.GET, catalog.baseURL + "/api/v1/catalog/items/withsemanticrelevance?pageSize=5&text=" + text)
        guard answer.status == .ok, case .array(let items)? = answer.json?.value(at: "items") else { throw EndToEndError("search \(text): \(answer)") }
        let ids = items.compactMap { item -> Int? in
            guard case .number(let id)? = item.value(at: "id") else { return nil }
            return id.intValue
        }
        let names = items.compactMap { item -> String? in
            guard case .string(let name)? = item.value(at: "name") else { return nil }
            return name
        }
        return (answer.headers["Search-Mode"].first, ids, names)
    }

    @Test func itemsAreFoundByMeaningFollowChangesAndSurviveARestartWithoutReembedding() async throws {
        let modelStoreFolder = try #require(modelFilesFolder.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
        let key = await TestSigningKey()
        let admin = try await key.token(subject: "admin-id", role: "admin")
        let state = try TemporaryFolder("search-state")
        defer { state.remove() }
        try await TestPostgres.withDatabase(prefix: "search") { database in
            let store = try await BackgroundTestService("ModelStore", environment: ["MODEL_STORE_DIR": modelStoreFolder])
            do {
                try await scenario(store: store, database: TestPostgres.environment(database), key: key, admin: admin, state: state)
                await store.stop()
            } catch {
                await store.stop()
                throw error
            }
        }
    }

    func scenario(store: BackgroundTestService, database: [String: String], key: TestSigningKey, admin: String, state: TemporaryFolder) async throws {
        let redis = TestRedis.configuration
        let workerPort = try await TestRedis.freePort()
        let catalogEnvironment = database.merging([
            "JWT_JWKS": key.jwksJSON, "REDIS_HOST": redis.host, "REDIS_PORT": String(redis.port), "REDIS_PASSWORD": redis.password ?? "",
            "MODEL_WORKER_URL": "http://127.0.0.1:\(workerPort)", "MODEL_WORKER_TIMEOUT_MS": "5000",
        ]) { $1 }
        try await TestServiceProcess.with("Catalog", environment: catalogEnvironment) { catalog in
            let workerEnvironment = [
                "STATE_DIR": state.path, "MODEL_BASE_URL": "\(store.baseURL)/all-MiniLM-L6-v2/", "CATALOG_URL": catalog.baseURL,
                "REDIS_HOST": redis.host, "REDIS_PORT": String(redis.port), "REDIS_PASSWORD": redis.password ?? "",
                "LOG_LEVEL": "info",
            ]
            // Start: every seeded item embedded once.
            var telescopeId = 0
            try await TestServiceProcess.with("ModelWorker", environment: workerEnvironment, port: workerPort, within: .seconds(120)) { worker in
                let index = try await readyIndex(worker)
                #expect(index["items"] == .number(36))
                #expect(index["embeddedSinceStart"] == .number(36))

                // The README's example: no shared word, and a cap comes first.
                let warm = try await catalogSearch(catalog, "something%20warm%20for%20my%20head")
                #expect(warm.mode == "semantic")
                #expect(warm.names.first == "Alpine Beanie Cap", "\(warm.names)")

                // Recommendations: no paid orders, so semantic neighbours fill the list.
                let recommended = try await HTTP.send(.GET, worker.baseURL + "/api/v1/recommendations/31?limit=3")
                #expect(recommended.status == .ok, "\(recommended)")
                #expect(recommended.json?.value(at: "orders") == .number(0))
                guard case .array(let ids)? = recommended.json?.value(at: "recommended"), case .array(let similar)? = recommended.json?.value(at: "similar")
                else { throw EndToEndError("recommendations: \(recommended)") }
                #expect(ids.count == 3 && similar.count == 3 && !ids.contains(.number(31)), "\(recommended)")

                // Created as admin → findable by meaning within seconds.
                let created = try await HTTP.send(.POST, catalog.baseURL + "/api/v1/catalog/items", token: admin, json: Self.telescope)
                guard case .number(let id)? = created.json?.value(at: "id"), let value = id.intValue else { throw EndToEndError("create: \(created)") }
                telescopeId = value
                try await eventually("the telescope to be found by meaning", within: .seconds(15)) {
                    let found = try await catalogSearch(catalog, Self.telescopeQuery)
                    guard found.mode == "semantic", found.ids.first == telescopeId else { throw EndToEndError("\(found)") }
                }

                // Deleted → gone from the worker's results and Catalog's.
                let deleted = try await HTTP.send(.DELETE, catalog.baseURL + "/api/v1/catalog/items/\(telescopeId)", token: admin)
                #expect(deleted.status == .noContent)
                try await eventually("the telescope to be gone from the index", within: .seconds(15)) {
                    let answer = try await HTTP.send(.GET, worker.baseURL + "/api/v1/search?limit=1000&text=" + Self.telescopeQuery)
                    guard case .array(let results)? = answer.json, results.count == 36,
                        !results.contains(where: { $0.value(at: "productId") == .number(JSONNumber(telescopeId)) })
                    else { throw EndToEndError("\(answer)") }
                }
                #expect(try await catalogSearch(catalog, Self.telescopeQuery).ids.contains(telescopeId) == false)

                // The worker's own input checks.
                for query in ["text=", "text=%20", "text=cap&limit=0", "text=cap&limit=1001", "limit=3"] {
                    let answer = try await HTTP.send(.GET, worker.baseURL + "/api/v1/search?" + query)
                    #expect(answer.status == .badRequest, "\(query): \(answer)")
                }
            }

            // Worker stopped → Catalog searches by name, and says so.
            let fallback = try await catalogSearch(catalog, "merino")
            #expect(fallback.mode == "name")
            #expect(fallback.names == ["Alpine Beanie Cap"])

            // Restarted on the same state folder → nothing re-embedded, everything reused.
            try await TestServiceProcess.with("ModelWorker", environment: workerEnvironment, port: workerPort, within: .seconds(120)) { worker in
                let index = try await readyIndex(worker)
                #expect(index["items"] == .number(36))
                #expect(index["embeddedSinceStart"] == .number(0))
                #expect(index["reusedAtStart"] == .number(36))
                let warm = try await catalogSearch(catalog, "something%20warm%20for%20my%20head")
                #expect(warm.mode == "semantic")
                #expect(!warm.ids.contains(telescopeId))
            }
        }
    }
}
