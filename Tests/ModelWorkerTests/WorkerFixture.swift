import AsyncHTTPClient
import EventBus
import Foundation
import RedisClient
import TestSupport

/// Whether scripts/test started Redis for us.
let redisIsAvailable = ProcessInfo.processInfo.environment["REDIS_PORT"] != nil
/// The real all-MiniLM-L6-v2 files, fetched by the scripts (scripts/lib/models.sh); `nil` without them.
let realModelFolder: String? = ProcessInfo.processInfo.environment["MODEL_FILES_DIR"].flatMap { folder in
    FileManager.default.fileExists(atPath: folder + "/model.safetensors") ? folder : nil
}

/// The model store process serving `folder`, and the requests it logged.
struct StoreProcess: Sendable {
    let process: BackgroundTestService

    init(folder: String, throttleBytesPerSecond: Int = 0) async throws {
        process = try await BackgroundTestService(
            "ModelStore",
            environment: [
                "MODEL_STORE_DIR": folder, "LOG_LEVEL": "info", "LOG_FORMAT": "json",
                "MODEL_STORE_THROTTLE_BYTES_PER_SECOND": String(throttleBytesPerSecond),
            ])
    }

    /// `(method, path, range, status)` of each file request so far.
    var requests: [(method: String, path: String, range: String?, status: String)] {
        process.printed.compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["message"] as? String == "request", let path = object["path"] as? String, !path.hasPrefix("/health")
            else { return nil }
            return (object["method"] as? String ?? "", path, object["range"] as? String, object["status"] as? String ?? "")
        }
    }

    func downloads(of file: String) -> Int { requests.filter { $0.method == "GET" && $0.path.hasSuffix("/" + file) }.count }
}

/// A model worker process (the `ModelWorker` executable) on a free port.
final class WorkerProcess: Sendable {
    let port: Int
    let child: BackgroundTestProcess
    var output: CollectedLines { child.output }

    init(environment: [String: String], arguments: [String] = []) async throws {
        port = try await TestRedis.freePort()
        var environment = environment
        environment["HTTP_HOST"] = "127.0.0.1"
        environment["HTTP_PORT"] = String(port)
        environment["LOG_FORMAT"] = "json"
        environment["LOG_LEVEL"] = environment["LOG_LEVEL"] ?? "info"
        child = BackgroundTestProcess([BuiltProducts.path("ModelWorker")] + arguments, environment: environment)
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func get(_ path: String) async throws -> (status: Int, body: Data) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), Data(buffer: body))
    }

    /// Waits until `/health/ready` answers 200 (fails early if the process exits).
    func waitReady(within timeout: Duration = .seconds(60)) async throws {
        try await TestRedis.eventually(within: timeout) {
            if child.hasExited { throw WorkerExited(status: await child.waitForExit() ?? -1, output: output.all) }
            guard try await get("/health/ready").status == 200 else { throw WorkerExited(status: -1, output: ["not ready yet"]) }
        }
    }

    /// Whether a log line with this message was printed.
    func logged(_ message: String) -> Bool {
        output.all.contains { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["message"] as? String == message
        }
    }

    func kill() async { _ = await child.kill() }

    func stop() async { await child.terminate() }
}

struct WorkerExited: Error, CustomStringConvertible {
    var status: Int32
    var output: [String]
    var description: String { "the worker is not ready (exit status \(status)):\n" + output.suffix(30).joined(separator: "\n") }
}

/// Publishing paid orders onto the worker's stream, as Ordering would.
enum PaidOrders {
    static func publish(_ orders: [[Int]], prefix: String, redis: RedisClient) async throws {
        let commands = try orders.map { products in
            let event = OrderStatusChangedToPaid(
                orderId: UUID(), orderStatus: .paid, description: "paid", orderStockItems: products.map { OrderStockItem(productId: $0, units: 2) },
                buyerId: "buyer")
            let envelope = try EventEnvelope(event, source: "ordering-api")
            return RedisCommand("XADD", prefix + OrderStatusChangedToPaid.topic, "*", "envelope", envelope.bytes)
        }
        _ = try await redis.pipeline(commands)
    }

    /// `count` orders of 1–4 distinct products among 1…12, the same for the same seed.
    static func generate(_ count: Int, seed: UInt64) -> [[Int]] {
        var state = seed
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        return (0..<count).map { _ in
            var products = Set<Int>()
            let size = 1 + next() % 4
            while products.count < size { products.insert(1 + next() % 12) }
            return products.sorted()
        }
    }

    /// The independent recount: per product, its orders and the orders shared with each other product.
    static func recount(_ orders: [[Int]]) -> [Int: (orders: Int, with: [Int: Int])] {
        var counts: [Int: (orders: Int, with: [Int: Int])] = [:]
        for order in orders {
            for product in order {
                counts[product, default: (0, [:])].orders += 1
                for other in order where other != product { counts[product, default: (0, [:])].with[other, default: 0] += 1 }
            }
        }
        return counts
    }
}
