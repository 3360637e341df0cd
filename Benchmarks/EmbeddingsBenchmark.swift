import Embeddings
import Foundation

/// Sentence embeddings per second of catalog-length texts (a product name and a one-line
/// description, ~15 tokens), in batches, beside the numpy reference
/// (scripts/embeddings-reference/reference.py `benchmark`, float32) on the same texts, the same
/// machine and the same BLAS, in the same run. Both count tokenization, the forward pass, pooling
/// and normalisation. Goal ≥ 1.0 × numpy.
///
/// `Benchmarks embeddings [BENCH_BATCHES=1,32,128] [BENCH_SECONDS=5]`, with `MODEL_FILES_DIR` and
/// `EMBEDDINGS_REFERENCE_PYTHON` set (scripts/benchmark sets both). `OPENBLAS_NUM_THREADS` applies
/// to both sides.
struct EmbeddingsBenchmark {
    let modelFolder: String
    let referencePython: String
    let batches: [Int]
    let seconds: Double

    func run() async throws {
        let embedder = try SentenceEmbedder(modelDirectory: URL(fileURLWithPath: modelFolder))
        let texts = Self.catalogTexts(count: 512)
        let tokens = texts.reduce(0) { $0 + embedder.tokenize($1).count }
        let textsFile = FileManager.default.temporaryDirectory.appendingPathComponent("embeddings-bench-\(UUID().uuidString.prefix(8)).json")
        try JSONEncoder().encode(texts).write(to: textsFile)
        defer { try? FileManager.default.removeItem(at: textsFile) }

        print("embeddings (all-MiniLM-L6-v2), \(texts.count) catalog-length texts, \(String(format: "%.1f", Double(tokens) / Double(texts.count))) tokens each on average, \(seconds) s per figure")
        print("  Swift BLAS : \(Self.loadedBLAS().joined(separator: ", "))")
        // Both processes read it: the reference inherits this environment.
        print("  threads    : OPENBLAS_NUM_THREADS=\(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "(unset: one per core)")")
        var numpyDescribed = false
        for batch in batches {
            let swift = try measure(embedder, texts: texts, batch: batch)
            let output = try await runTool(
                referencePython,
                ["scripts/embeddings-reference/reference.py", "benchmark", modelFolder, textsFile.path, String(batch), String(seconds)])
            let numpy = try JSONDecoder().decode(NumpyFigures.self, from: Data(output.utf8))
            if !numpyDescribed {
                print("  numpy      : \(numpy.numpy) (\(numpy.numpyPath)), BLAS: \(numpy.blasLibraries.joined(separator: ", "))")
                numpyDescribed = true
            }
            print(String(format: "  batch %4d : numpy %8.1f embeddings/s, Swift %8.1f embeddings/s  (%.2f × numpy; goal ≥ 1.0)",
                         batch, numpy.embeddingsPerSecond, swift, swift / numpy.embeddingsPerSecond))
        }
    }

    private struct NumpyFigures: Decodable {
        var embeddingsPerSecond: Double
        var numpy: String
        var numpyPath: String
        var blasLibraries: [String]
    }

    /// Embeddings per second over `texts` in batches of `batch`, for about ``seconds`` after a
    /// warm-up batch (as the reference measures).
    private func measure(_ embedder: SentenceEmbedder, texts: [String], batch: Int) throws -> Double {
        _ = try embedder.embed(Array(texts.prefix(batch)))
        var embedded = 0
        var first = 0
        let start = ContinuousClock.now
        while (ContinuousClock.now - start).seconds < seconds {
            embedded += try embedder.embed(Array(texts[first..<min(texts.count, first + batch)])).count
            first = first + batch < texts.count ? first + batch : 0
        }
        return Double(embedded) / (ContinuousClock.now - start).seconds
    }

    /// Product names and descriptions in the style of Catalog's seed data, all different.
    static func catalogTexts(count: Int) -> [String] {
        let brands = ["Northwind", "Alpine Loop", "Harbor & Pine", "Quill", "Swiftwater", "Fieldnote"]
        let products = ["Tee", "Mug", "Backpack", "Notebook", "Water Bottle", "Cap", "Hoodie", "Sling", "Journal", "Flask"]
        let qualities = ["Soft organic cotton", "Insulated stainless steel", "Waxed canvas", "Recycled paper", "Matte black stoneware",
                         "Lightweight ripstop", "Heavyweight brushed fleece", "Leak-proof glass"]
        let details = ["with a mountain outline.", "with a leather strap and a hidden pocket.", "that keeps drinks warm for 12 hours.",
                       "with 160 pages of dotted paper.", "for long debugging sessions.", "in navy and cream stripes.",
                       "with a padded laptop sleeve.", "that folds into its own pocket."]
        return (0..<count).map { index in
            let product = products[index % products.count]
            return "\(brands[index / products.count % brands.count]) \(product) \(index): "
                + "\(qualities[index % qualities.count]) \(product.lowercased()) \(details[index / 3 % details.count])"
        }
    }

    /// The BLAS libraries mapped into this process (from /proc/self/maps; empty where there is none).
    static func loadedBLAS() -> [String] {
        // /proc files report size 0: read to the end rather than by size.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile(), let maps = String(data: data, encoding: .utf8) else {
            return ["(no /proc: Accelerate or unknown)"]
        }
        let paths = maps.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
        return Array(Set(paths.filter { $0.lowercased().contains("blas") })).sorted()
    }
}
