import Crypto
import Foundation
import RedisClient
import Testing
import TestSupport

/// The model worker as a process, against the real model store and Redis.
@Suite("Model worker", .serialized, .enabled(if: redisIsAvailable, "needs the Redis scripts/test starts"))
struct ModelWorkerTests {
    /// A small generated model the store serves as `tiny/`, with its manifest: files to download,
    /// never a model the encoder loads (so a worker given it never gets ready).
    struct TinyModel {
        let storeFolder: TemporaryFolder
        let manifestPath: String
        let size: Int

        init(size: Int = 4 << 20) throws {
            storeFolder = try TemporaryFolder("tinystore")
            let model = storeFolder.url.appendingPathComponent("tiny", isDirectory: true)
            try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
            var generator = SystemRandomNumberGenerator()
            let words = (0..<(size + 7) / 8).map { _ in generator.next() }
            let weights = Array(words.withUnsafeBytes { Array($0) }.prefix(size))
            let files: [(String, [UInt8])] = [
                ("config.json", Array(#"{"model_type":"bert","hidden_size":4,"num_hidden_layers":1,"vocab_size":3}"#.utf8)),
                ("vocab.txt", Array("[PAD]\n[UNK]\nshoe\n".utf8)), ("model.safetensors", weights),
            ]
            var entries: [[String: Any]] = []
            for (name, bytes) in files {
                try Data(bytes).write(to: model.appendingPathComponent(name))
                let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
                entries.append(["path": name, "url": name, "size": bytes.count, "sha256": digest])
            }
            manifestPath = storeFolder.path + "/tiny.manifest.json"
            try JSONSerialization.data(withJSONObject: ["name": "tiny", "version": "1", "files": entries]).write(to: URL(fileURLWithPath: manifestPath))
            self.size = size
        }
    }

    func environment(state: String, store: StoreProcess, manifest: String?, model: String, prefix: String, extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            // No Catalog (port 1 refuses): the catalog index keeps retrying its sync; these tests are about the rest.
            "CATALOG_URL": "http://127.0.0.1:1",
            "STATE_DIR": state, "MODEL_BASE_URL": "\(store.process.baseURL)/\(model)/", "EVENTS_STREAM_PREFIX": prefix,
            "CHECKPOINT_EVERY": "25", "CHECKPOINT_INTERVAL_MS": "50", "STORE_LOCK_ATTEMPTS": "2", "STORE_LOCK_BACKOFF_MS": "100",
        ]
        if let manifest { environment["MODEL_MANIFEST"] = manifest }
        return environment.merging(extra) { $1 }
    }

    /// The model store serving the real model the scripts fetched.
    func realModelStore(throttleBytesPerSecond: Int = 0) async throws -> StoreProcess {
        let folder = try #require(realModelFolder.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
        return try await StoreProcess(folder: folder, throttleBytesPerSecond: throttleBytesPerSecond)
    }

    func recommendations(_ worker: WorkerProcess, _ product: Int) async throws -> [String: Any]? {
        let (status, body) = try await worker.get("/api/v1/recommendations/\(product)?limit=100")
        guard status == 200 else { return nil }
        return try JSONSerialization.jsonObject(with: body) as? [String: Any]
    }

    /// Fails unless every product's counts equal the recount exactly.
    func expectCounts(_ worker: WorkerProcess, equal orders: [[Int]]) async throws {
        for (product, expected) in PaidOrders.recount(orders) {
            let answer = try #require(try await recommendations(worker, product))
            #expect(answer["orders"] as? Int == expected.orders, "orders of product \(product)")
            let together = (answer["boughtTogether"] as? [[String: Int]] ?? []).reduce(into: [Int: Int]()) { $0[$1["productId"]!] = $1["count"]! }
            #expect(together == expected.with, "bought together with product \(product)")
        }
    }

    /// Waits until product `product` shows `orders` paid orders.
    func waitForOrders(_ worker: WorkerProcess, product: Int, orders: Int) async throws {
        try await TestRedis.eventually(within: .seconds(30)) {
            let answer = try await recommendations(worker, product)
            guard answer?["orders"] as? Int == orders else { throw WorkerExited(status: -1, output: ["product \(product): \(String(describing: answer))"]) }
        }
    }

    @Test("a state folder that is a file: a clear error at start", .timeLimit(.minutes(1)))
    func stateFolderIsAFile() async throws {
        let temporary = try TemporaryFolder()
        defer { temporary.remove() }
        let file = temporary.path + "/state"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let worker = try await WorkerProcess(environment: ["STATE_DIR": file])
        #expect(await worker.child.waitForExit() == 1)
        #expect(worker.output.all.contains("model-worker: error: the state folder \"\(file)\" (STATE_DIR) is a file, not a folder"))
    }

    @Test("a quota smaller than the model: not ready, the reason on /health/ready, no partial file", .timeLimit(.minutes(1)))
    func quotaTooSmall() async throws {
        let tiny = try TinyModel()
        let store = try await StoreProcess(folder: tiny.storeFolder.path)
        let state = try TemporaryFolder()
        defer { state.remove(); tiny.storeFolder.remove() }
        let worker = try await WorkerProcess(
            environment: environment(
                state: state.path, store: store, manifest: tiny.manifestPath, model: "tiny", prefix: TestRedis.uniqueKey() + ":",
                extra: ["STATE_QUOTA_BYTES": "1000000"]))
        let reason = try await TestRedis.eventually(within: .seconds(30)) {
            let (status, body) = try await worker.get("/health/ready")
            let problem = try JSONSerialization.jsonObject(with: body) as? [String: Any]
            guard status == 503, let reason = (problem?["errors"] as? [String: [String]])?["model"]?.first, reason.contains("quota") else {
                throw WorkerExited(status: -1, output: ["\(status)"])
            }
            return reason
        }
        #expect(reason.contains("needs \(tiny.size) bytes"))
        #expect(reason.hasSuffix("and the quota is 1000000 bytes (STATE_QUOTA_BYTES)"))
        #expect(store.downloads(of: "model.safetensors") == 0)
        let files = FileManager.default.enumerator(atPath: state.path)?.compactMap { $0 as? String } ?? []
        #expect(!files.contains { $0.hasSuffix("model.safetensors") || $0.hasSuffix(".partial") })
        await worker.stop()
        await store.process.stop()
    }

    @Test("files that verify but are no usable model: not ready, with the encoder's error on /health/ready", .timeLimit(.minutes(1)))
    func unusableModel() async throws {
        let tiny = try TinyModel(size: 1_024)
        let store = try await StoreProcess(folder: tiny.storeFolder.path)
        let state = try TemporaryFolder()
        defer { state.remove(); tiny.storeFolder.remove() }
        let worker = try await WorkerProcess(
            environment: environment(state: state.path, store: store, manifest: tiny.manifestPath, model: "tiny", prefix: TestRedis.uniqueKey() + ":"))
        try await TestRedis.eventually(within: .seconds(30)) {
            let (status, body) = try await worker.get("/health/ready")
            let problem = try JSONSerialization.jsonObject(with: body) as? [String: Any]
            guard status == 503, let reason = (problem?["errors"] as? [String: [String]])?["model"]?.first,
                reason != "the model is being downloaded or verified"
            else { throw WorkerExited(status: -1, output: ["\(status) \(String(decoding: body, as: UTF8.self))"]) }
        }
        #expect(FileManager.default.fileExists(atPath: state.path + "/models/tiny/1/model.safetensors"))  // verified, kept
        await worker.stop()
        await store.process.stop()
    }

    @Test(
        "the real model: two replicas at once download it once and both serve; a restart keeps state and models and downloads nothing",
        .enabled(if: realModelFolder != nil, "needs MODEL_FILES_DIR (scripts/test fetches the model)"), .timeLimit(.minutes(3)))
    func replicasAndRestart() async throws {
        let storeFolder = try #require(realModelFolder.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
        let store = try await StoreProcess(folder: storeFolder)
        let state = try TemporaryFolder()
        defer { state.remove() }
        let prefix = TestRedis.uniqueKey() + ":"
        let environment = environment(state: state.path, store: store, manifest: nil, model: "all-MiniLM-L6-v2", prefix: prefix)
        let first = try await WorkerProcess(environment: environment)
        let second = try await WorkerProcess(environment: environment)
        // Readers never see a partial file: a reader polling the model's final names meanwhile
        // finds each file either absent or whole.
        let weights = state.path + "/models/all-MiniLM-L6-v2/current/model.safetensors"
        let watcher = Task {
            var seen: Set<Int> = []
            while !Task.isCancelled {
                if let size = (try? FileManager.default.attributesOfItem(atPath: weights))?[.size] as? NSNumber { seen.insert(size.intValue) }
                try? await Task.sleep(for: .milliseconds(2))
            }
            return seen
        }
        try await first.waitReady(within: .seconds(90))
        try await second.waitReady(within: .seconds(90))
        watcher.cancel()
        #expect(await watcher.value.isSubset(of: [90_868_376]))
        #expect((try FileManager.default.attributesOfItem(atPath: weights)[.size] as? NSNumber)?.intValue == 90_868_376)
        let ready = try JSONSerialization.jsonObject(with: try await first.get("/health/ready").body) as? [String: Any]
        #expect((ready?["model"] as? [String: String]) == ["name": "all-MiniLM-L6-v2", "version": "53aa51172d14"])
        for file in ["config.json", "vocab.txt", "model.safetensors"] { #expect(store.downloads(of: file) == 1, "\(file)") }

        let orders = [[1, 2], [1, 2, 3], [2, 3]]
        try await TestRedis.withClient { try await PaidOrders.publish(orders, prefix: prefix, redis: $0) }
        try await waitForOrders(first, product: 2, orders: 3)
        try await expectCounts(first, equal: orders)
        try await expectCounts(second, equal: orders)
        #expect(try await first.get("/api/v1/recommendations/99").status == 404)
        #expect(try await first.get("/api/v1/recommendations/1?limit=0").status == 400)
        #expect(try await first.get("/api/v1/recommendations/shoe").status == 400)

        // The owner stops; the standby replica takes the store over and goes on counting.
        let (owner, standby) = first.logged("owning the store") ? (first, second) : (second, first)
        await owner.stop()
        let more = [[1, 3]]
        try await TestRedis.withClient { try await PaidOrders.publish(more, prefix: prefix, redis: $0) }
        try await waitForOrders(standby, product: 3, orders: 3)
        #expect(standby.logged("owning the store"))
        try await expectCounts(standby, equal: orders + more)
        await standby.stop()
        let restarted = try await WorkerProcess(environment: environment)
        try await restarted.waitReady(within: .seconds(60))
        try await expectCounts(restarted, equal: orders + more)
        for file in ["config.json", "vocab.txt", "model.safetensors"] { #expect(store.downloads(of: file) == 1, "\(file) after the restart") }
        await restarted.stop()
        await store.process.stop()
    }

    @Test(
        "SIGKILL mid-download, then restart: the download resumes with a Range request and the checksum is right",
        .enabled(if: realModelFolder != nil, "needs MODEL_FILES_DIR (scripts/test fetches the model)"), .timeLimit(.minutes(2)))
    func resumeAfterSIGKILL() async throws {
        // The real model (only a model the encoder can load makes the worker ready); the store is
        // slowed down so the kill lands mid-file.
        let (model, version, size) = ("all-MiniLM-L6-v2", "53aa51172d14", 90_868_376)
        let store = try await realModelStore(throttleBytesPerSecond: 40 << 20)
        let state = try TemporaryFolder()
        defer { state.remove() }
        let environment = environment(state: state.path, store: store, manifest: nil, model: model, prefix: TestRedis.uniqueKey() + ":")
        let partial = state.path + "/models/\(model)/\(version)/model.safetensors.partial"
        let worker = try await WorkerProcess(environment: environment)
        try await TestRedis.eventually(within: .seconds(30)) {
            let written = (try FileManager.default.attributesOfItem(atPath: partial)[.size] as? NSNumber)?.intValue ?? 0
            guard written >= size / 8 else { throw WorkerExited(status: -1, output: ["partial: \(written) bytes"]) }
        }
        await worker.kill()
        let stoppedAt = try #require((try FileManager.default.attributesOfItem(atPath: partial)[.size] as? NSNumber)?.intValue)
        #expect(stoppedAt < size)

        let restarted = try await WorkerProcess(environment: environment)
        try await restarted.waitReady(within: .seconds(60))  // ready: every file verified against its sha256
        #expect(store.requests.contains { $0.path == "/\(model)/model.safetensors" && $0.range == "bytes=\(stoppedAt)-" && $0.status == "206" })
        #expect(store.downloads(of: "model.safetensors") == 2)
        #expect(!FileManager.default.fileExists(atPath: partial))
        #expect(restarted.logged("resuming model download"))
        await restarted.stop()
        await store.process.stop()
    }

    @Test(
        "SIGKILL while processing 1,000 paid orders: the counts after restart equal an independent recount exactly",
        .enabled(if: realModelFolder != nil, "needs MODEL_FILES_DIR (scripts/test fetches the model)"), .timeLimit(.minutes(2)))
    func crashDuringProcessing() async throws {
        let store = try await realModelStore()
        let state = try TemporaryFolder()
        defer { state.remove() }
        let prefix = TestRedis.uniqueKey() + ":"
        let environment = environment(
            state: state.path, store: store, manifest: nil, model: "all-MiniLM-L6-v2", prefix: prefix, extra: ["CHECKPOINT_EVERY": "10"])
        let orders = PaidOrders.generate(1_000, seed: 42)

        let worker = try await WorkerProcess(environment: environment)
        try await worker.waitReady()
        try await TestRedis.withClient { redis in
            for chunk in stride(from: 0, to: 500, by: 50) { try await PaidOrders.publish(Array(orders[chunk..<chunk + 50]), prefix: prefix, redis: redis) }
        }
        try await TestRedis.eventually(within: .seconds(30)) {
            guard (try await recommendations(worker, orders[0][0])?["orders"] as? Int ?? 0) > 0 else { throw WorkerExited(status: -1, output: ["no checkpoint yet"]) }
        }
        await worker.kill()  // while the first 500 are being processed
        try await TestRedis.withClient { redis in
            // The kill came mid-stream: entries were left read but unacknowledged, or unread.
            let groups = try await redis.send(RedisCommand("XINFO", "GROUPS", prefix + "OrderStatusChangedToPaid"))
            let fields = try #require(groups.array?.first?.array)
            let info = Dictionary(uniqueKeysWithValues: stride(from: 0, to: fields.count - 1, by: 2).compactMap { index in
                fields[index].string.map { ($0, fields[index + 1].int ?? -1) }
            })
            #expect((info["pending"] ?? 0) > 0 || (info["lag"] ?? 0) > 0, "group at the kill: \(info)")
            try await PaidOrders.publish(Array(orders[500...]), prefix: prefix, redis: redis)
        }

        let restarted = try await WorkerProcess(environment: environment)
        try await restarted.waitReady()
        let total = PaidOrders.recount(orders)
        let busiest = total.max { $0.value.orders < $1.value.orders }!
        try await waitForOrders(restarted, product: busiest.key, orders: busiest.value.orders)
        try await TestRedis.withClient { redis in
            try await TestRedis.eventually(within: .seconds(30)) {  // every entry acknowledged: nothing left to apply
                let pending = try await redis.send(RedisCommand("XPENDING", prefix + "OrderStatusChangedToPaid", "model-worker"))
                guard pending.array?.first?.int == 0 else { throw WorkerExited(status: -1, output: ["pending: \(pending)"]) }
            }
        }
        try await expectCounts(restarted, equal: orders)
        await restarted.stop()
        await store.process.stop()
    }

    @Test(
        "clear-state refuses while the worker runs; afterwards it deletes the keyed state and keeps the models",
        .enabled(if: realModelFolder != nil, "needs MODEL_FILES_DIR (scripts/test fetches the model)"), .timeLimit(.minutes(1)))
    func clearState() async throws {
        let store = try await realModelStore()
        let state = try TemporaryFolder()
        defer { state.remove() }
        let prefix = TestRedis.uniqueKey() + ":"
        let environment = environment(state: state.path, store: store, manifest: nil, model: "all-MiniLM-L6-v2", prefix: prefix)
        let worker = try await WorkerProcess(environment: environment)
        try await worker.waitReady()
        try await TestRedis.withClient { try await PaidOrders.publish([[1, 2]], prefix: prefix, redis: $0) }
        try await waitForOrders(worker, product: 1, orders: 1)

        let refused = try await WorkerProcess(environment: environment, arguments: ["clear-state"])
        #expect(await refused.child.waitForExit() == 1)
        #expect(refused.output.all.contains { $0.contains("refusing to clear the state at \"\(state.path)/model-worker\" while a worker uses it") })
        await worker.stop()

        let cleared = try await WorkerProcess(environment: environment, arguments: ["clear-state"])
        #expect(await cleared.child.waitForExit() == 0)
        #expect(!FileManager.default.fileExists(atPath: state.path + "/model-worker"))
        #expect(FileManager.default.fileExists(atPath: state.path + "/models/all-MiniLM-L6-v2/53aa51172d14/model.safetensors"))
        await store.process.stop()
    }
}
