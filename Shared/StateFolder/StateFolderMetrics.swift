import Foundation
import Metrics

/// What the state folder records (docs/observability.md):
///
/// - `keyed_state_commit_duration_seconds{store}`: one keyed-state transaction (a checkpoint or
///   an update), from start to durable commit;
/// - `model_download_bytes_total`: model file bytes received;
/// - `model_download_duration_seconds`: one model file's download, from the request to its
///   verified, fsynced end (successful attempts only).
enum StateFolderMetrics {
    static func measureCommit<Result>(of folder: URL, _ body: () async throws -> Result) async throws -> Result {
        // `<state>/<group>/<store>/<stream>/`: the store's name is a bounded label, the stream's too long-lived to matter.
        let store = folder.deletingLastPathComponent().lastPathComponent
        let start = ContinuousClock.now
        let result = try await body()
        Metrics.Timer(label: "keyed_state_commit_duration_seconds", dimensions: [("store", store)]).record(duration: start.duration(to: .now))
        return result
    }

    static let downloadedBytes = Counter(label: "model_download_bytes_total")

    static func downloaded(since start: ContinuousClock.Instant) {
        Metrics.Timer(label: "model_download_duration_seconds").record(duration: start.duration(to: .now))
    }
}
