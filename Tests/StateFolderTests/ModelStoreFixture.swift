import AsyncHTTPClient
import Crypto
import Foundation
import TestSupport

@testable import StateFolder

/// The real model store (the `ModelStore` executable) serving generated files from a temporary
/// folder, and what it logged about each request.
struct ModelStoreFixture: Sendable {
    struct Request: Sendable, Equatable {
        var method: String
        var path: String
        var range: String?
        var status: String
    }

    let folder: TemporaryFolder
    let store: BackgroundTestService

    /// `files`: name → contents, written under `<store>/<model>/`.
    static func start(model: String = "tiny", files: [String: [UInt8]], throttleBytesPerSecond: Int = 0) async throws -> ModelStoreFixture {
        let folder = try TemporaryFolder("store")
        let modelFolder = folder.url.appendingPathComponent(model, isDirectory: true)
        try FileManager.default.createDirectory(at: modelFolder, withIntermediateDirectories: true)
        for (name, bytes) in files { try Data(bytes).write(to: modelFolder.appendingPathComponent(name)) }
        let store = try await BackgroundTestService(
            "ModelStore",
            environment: [
                "MODEL_STORE_DIR": folder.path, "LOG_LEVEL": "info", "LOG_FORMAT": "json",
                "MODEL_STORE_THROTTLE_BYTES_PER_SECOND": String(throttleBytesPerSecond),
            ])
        return ModelStoreFixture(folder: folder, store: store)
    }

    func baseURL(model: String = "tiny") -> URL { URL(string: "\(store.baseURL)/\(model)/")! }

    /// Every request the store answered so far for files (not health checks). The store writes a
    /// request's log line after its answer, so this first asks for a marker file and waits (with a
    /// deadline) until the marker's line is printed: the lines of all earlier requests come before it.
    func requests() async throws -> [Request] {
        let marker = "/marker-\(UUID().uuidString)"
        _ = try await HTTPClient.shared.execute(HTTPClientRequest(url: store.baseURL + marker), timeout: .seconds(10))
        return try await eventually("the model store to log \(marker)", within: .seconds(10)) {
            let logged = loggedRequests
            guard logged.contains(where: { $0.path == marker }) else { throw MarkerNotLogged() }
            return logged.filter { !$0.path.hasPrefix("/marker-") }
        }
    }

    struct MarkerNotLogged: Error {}

    private var loggedRequests: [Request] {
        store.printed.compactMap { line in
            guard let data = line.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                object["message"] as? String == "request", let path = object["path"] as? String, !path.hasPrefix("/health")
            else { return nil }
            return Request(
                method: object["method"] as? String ?? "", path: path, range: object["range"] as? String, status: object["status"] as? String ?? "")
        }
    }

    func stop() async {
        await store.stop()
        folder.remove()
    }

    /// A manifest for `files` as served under `model`.
    static func manifest(name: String = "tiny", version: String = "v1", files: [String: [UInt8]]) -> ModelManifest {
        ModelManifest(
            name: name, version: version,
            files: files.keys.sorted().map { path in
                ModelManifest.File(path: path, url: path, size: Int64(files[path]!.count), sha256: sha256(files[path]!))
            })
    }

    static func sha256(_ bytes: [UInt8]) -> String { PartialFile.hex(SHA256.hash(data: bytes)) }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
