import Embeddings
import Foundation
import VectorIndex

/// Search latency over an index of `items` catalog vectors (default 10,000, 384 floats each),
/// as the model worker's `GET /api/v1/search` computes it (embed the query, then rank the index
/// through the BLAS), beside the raw limit in the same run: the BLAS `sgemv` over the same
/// matrix alone. One query at a time, `queries` times (default 2,000); p50/p99 in milliseconds.
/// Goal: search p99 ≤ 20 ms.
///
/// The index holds random unit vectors: a search's cost does not depend on the values, and
/// embedding 10,000 texts first would only make the run longer. The queries are real texts
/// embedded by the real model (`MODEL_FILES_DIR`, fetched by scripts/lib/models.sh).
///
/// `Benchmarks semantic-search [BENCH_ITEMS=10000] [BENCH_QUERIES=2000]`
struct SemanticSearchBenchmark {
    let modelFolder: String
    let items: Int
    let queries: Int

    static let texts = [
        "something warm for my head", "a mug for coffee", "waterproof bag for a laptop", "notebook with dotted pages",
        "bottle that keeps drinks cold", "a shirt with a bird on it", "gift for someone who likes hiking",
        "what to carry on a long bike ride through the mountains in summer",
    ]

    func run() async throws {
        let embedder = try SentenceEmbedder(modelDirectory: URL(fileURLWithPath: modelFolder))
        var generator = SystemRandomNumberGenerator()
        var index = VectorIndex(dimension: embedder.dimension)
        for id in 1...items {
            let vector = (0..<embedder.dimension).map { _ in Float.random(in: -1...1, using: &generator) }
            let length = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            try index.upsert(id, vector.map { $0 / length })
        }
        let vectors = try embedder.embed(Self.texts)
        for _ in 0..<50 { _ = try index.nearest(to: vectors[0], limit: 10) }  // warm up

        let floor = try measure { query in _ = index.scores(vectors[query % vectors.count]) }
        let rank10 = try measure { query in _ = try index.nearest(to: vectors[query % vectors.count], limit: 10) }
        let rank1000 = try measure { query in _ = try index.nearest(to: vectors[query % vectors.count], limit: 1_000) }
        let embed = try measure { query in _ = try embedder.embed([Self.texts[query % Self.texts.count]]) }
        let search = try measure { query in
            let vector = try embedder.embed([Self.texts[query % Self.texts.count]])[0]
            _ = try index.nearest(to: vector, limit: 10)
        }
        print("semantic search over \(items) items × \(embedder.dimension) floats, \(queries) queries one at a time (ms)")
        print("  raw BLAS sgemv over the matrix (floor)   : \(floor)")
        print("  rank, top 10 (sgemv + selection)          : \(rank10)")
        print("  rank, top 1000 (what Catalog asks for)    : \(rank1000)")
        print("  embed the query (all-MiniLM-L6-v2)        : \(embed)")
        print("  search = embed + rank top 10              : \(search)  (goal p99 ≤ 20 ms)")
    }

    struct Latency: CustomStringConvertible {
        var p50: Double
        var p99: Double
        var description: String { String(format: "p50 %7.3f  p99 %7.3f", p50, p99) }
    }

    /// Runs `body` `queries` times; the 50th and 99th percentile of its duration in milliseconds.
    private func measure(_ body: (Int) throws -> Void) throws -> Latency {
        var durations: [Double] = []
        durations.reserveCapacity(queries)
        let clock = ContinuousClock()
        for query in 0..<queries {
            let start = clock.now
            try body(query)
            let elapsed = clock.now - start
            durations.append(Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        durations.sort()
        return Latency(p50: durations[durations.count / 2], p99: durations[min(durations.count - 1, durations.count * 99 / 100)])
    }
}
