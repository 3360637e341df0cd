import Metrics

/// What the model worker records besides the state folder's figures (docs/observability.md):
///
/// - `model_load_duration_seconds`: reading the downloaded model into memory (weights, vocabulary);
/// - `embeddings_computed_total{purpose}`: sentence embeddings computed, for the catalog `index`
///   or a search `query`; `rate()` of it is embeddings per second.
enum ModelWorkerMetrics {
    static let loadDuration = Timer(label: "model_load_duration_seconds")

    static func embedded(_ count: Int, purpose: Purpose) {
        Counter(label: "embeddings_computed_total", dimensions: [("purpose", purpose.rawValue)]).increment(by: count)
    }

    enum Purpose: String {
        case index, query
    }
}
