import Configuration
import Foundation
import ServiceDefaults
import StateFolder

/// The model worker's port and app id (ARCHITECTURE.md).
let modelWorkerDefaultPort = 5109
let modelWorkerDefaultAppID = "model-worker"

/// The model worker's settings, read once at start.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `state.dir` (`STATE_DIR`) | the state folder | `./state` |
/// | `state.quota.bytes` (`STATE_QUOTA_BYTES`) | bytes | 100000000000 (100 GB) |
/// | `model.manifest` (`MODEL_MANIFEST`) | path of a manifest JSON | the bundled all-MiniLM-L6-v2 manifest |
/// | `model.base.url` (`MODEL_BASE_URL`) | what relative manifest URLs resolve against | `http://127.0.0.1:5110/all-MiniLM-L6-v2/` (the model store) |
/// | `checkpoint.every` (`CHECKPOINT_EVERY`) | entries per checkpoint | 1000 |
/// | `checkpoint.interval.ms` (`CHECKPOINT_INTERVAL_MS`) | ms from a checkpoint's first entry to its commit | 500 |
/// | `events.stream.prefix` (`EVENTS_STREAM_PREFIX`) | put before the topic to name the stream | none |
/// | `store.lock.attempts` / `store.lock.backoff.ms` | a standby replica's tries per round, and their spacing | 10 / 3000 |
/// | `catalog.url` (`CATALOG_URL`) | base URL of Catalog, whose items the catalog index embeds | `http://127.0.0.1:5101` |
struct ModelWorkerSettings: Sendable {
    var stateDirectory: String
    var quotaBytes: Int64
    var manifest: ModelManifest
    var baseURL: URL
    var checkpoint: CheckpointPolicy
    var streamPrefix: String
    var storeLock: FolderLock.WaitPolicy
    var catalogURL: String

    init(reader: ConfigReader) throws {
        stateDirectory = reader.string(forKey: "state.dir", default: "./state")
        let quota = reader.string(forKey: "state.quota.bytes", default: String(StateFolder.defaultQuotaBytes))
        guard let quotaBytes = Int64(quota.trimmingCharacters(in: .whitespaces)), quotaBytes > 0 else {
            throw ConfigurationError(variable: "STATE_QUOTA_BYTES", problem: "is '\(quota)': expected a whole number of bytes > 0")
        }
        self.quotaBytes = quotaBytes
        if let path = reader.string(forKey: "model.manifest") {
            manifest = try ModelManifest.load(URL(fileURLWithPath: path))
        } else {
            guard let bundled = Bundle.module.url(forResource: "all-MiniLM-L6-v2.manifest", withExtension: "json") else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "all-MiniLM-L6-v2.manifest.json"])
            }
            manifest = try ModelManifest.load(bundled)
        }
        let base = reader.string(forKey: "model.base.url", default: "http://127.0.0.1:5110/all-MiniLM-L6-v2/")
        guard let baseURL = URL(string: base.hasSuffix("/") ? base : base + "/"), baseURL.scheme == "http" || baseURL.scheme == "https" else {
            throw ConfigurationError(variable: "MODEL_BASE_URL", problem: "is '\(base)': expected an http(s) URL")
        }
        self.baseURL = baseURL
        let every = try reader.count(forKey: "checkpoint.every", default: 1_000)
        let interval = try reader.count(forKey: "checkpoint.interval.ms", default: 500)
        checkpoint = CheckpointPolicy(every: max(1, every), interval: .milliseconds(max(1, interval)))
        streamPrefix = reader.string(forKey: "events.stream.prefix", default: "")
        storeLock = FolderLock.WaitPolicy(
            attempts: try reader.count(forKey: "store.lock.attempts", default: 10),
            backoff: .milliseconds(try reader.count(forKey: "store.lock.backoff.ms", default: 3_000)))
        catalogURL = reader.string(forKey: "catalog.url", default: "http://127.0.0.1:5101")
        guard let catalog = URL(string: catalogURL), catalog.scheme == "http" || catalog.scheme == "https", catalog.host != nil else {
            throw ConfigurationError(variable: "CATALOG_URL", problem: "is '\(catalogURL)': expected an http(s) URL")
        }
    }
}
