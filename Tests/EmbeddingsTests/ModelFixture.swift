import Embeddings
import Foundation
import Testing

/// The real all-MiniLM-L6-v2 files, fetched by the scripts (scripts/lib/models.sh exports
/// `MODEL_FILES_DIR`; without it, that script's default folder); `nil` when they are absent.
let realModelFolder: URL? = {
    let environment = ProcessInfo.processInfo.environment
    let folder = environment["MODEL_FILES_DIR"]
        ?? (environment["XDG_CACHE_HOME"] ?? NSHomeDirectory() + "/.cache") + "/eshop-on-swift/models/all-MiniLM-L6-v2"
    return FileManager.default.fileExists(atPath: folder + "/model.safetensors") ? URL(fileURLWithPath: folder) : nil
}()

/// The real model, loaded once for every test that needs it.
let realEmbedder: SentenceEmbedder? = realModelFolder.flatMap { try? SentenceEmbedder(modelDirectory: $0) }

/// The committed output of scripts/embeddings-reference/reference.py.
struct ReferenceVectors: Decodable {
    struct Item: Decodable {
        var text: String
        var ids: [Int]
        var vector: [Float]
    }
    var model: String
    var maximumTokens: Int
    var items: [Item]

    static func load() throws -> ReferenceVectors {
        let url = try #require(Bundle.module.url(forResource: "reference-vectors", withExtension: "json"))
        return try JSONDecoder().decode(ReferenceVectors.self, from: Data(contentsOf: url))
    }
}

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let normA = a.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    let normB = b.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    return dot / (normA * normB)
}

func maximumAbsoluteDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
}
