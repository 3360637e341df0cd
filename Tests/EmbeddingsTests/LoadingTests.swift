import Embeddings
import Foundation
import TestSupport
import Testing

/// Loading a model: what a good folder gives, and the clear error each bad one gives.
@Suite("Embeddings: loading a model and its errors")
struct LoadingTests {
    /// The error `SentenceEmbedder(modelDirectory:)` throws for `folder`.
    private func loadingError(_ folder: TemporaryFolder) throws -> EmbeddingsError {
        defer { folder.remove() }
        return try #require(throws: EmbeddingsError.self) { try SentenceEmbedder(modelDirectory: folder.url) }
    }

    @Test("a complete model loads, and gives unit vectors of hidden_size")
    func loads() throws {
        let folder = try TinyModel().write()
        defer { folder.remove() }
        let embedder = try SentenceEmbedder(modelDirectory: folder.url)
        #expect(embedder.dimension == 4)
        #expect(embedder.maximumTokens == 16)
        let vectors = try embedder.embed(["the cap", "warm head, the cap!"])
        #expect(vectors.count == 2)
        for vector in vectors {
            #expect(vector.count == 4)
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
        }
        #expect(maximumAbsoluteDifference(vectors[0], try embedder.embed(["the cap"])[0]) <= 1e-6)
    }

    @Test("a missing folder or file is missingFile, naming the file")
    func missingFiles() throws {
        let absent = URL(fileURLWithPath: "/nonexistent/all-MiniLM-L6-v2")
        let error = try #require(throws: EmbeddingsError.self) { try SentenceEmbedder(modelDirectory: absent) }
        #expect(error.code == .missingFile)
        #expect(error.message.contains("/nonexistent/all-MiniLM-L6-v2/config.json"))

        let folder = try TinyModel().write()
        try FileManager.default.removeItem(at: folder.url.appendingPathComponent("model.safetensors"))
        let weights = try loadingError(folder)
        #expect(weights.code == .missingFile)
        #expect(weights.message.contains("model.safetensors"))
    }

    /// Bytes kept: the first n, or (negative) all but the last n.
    @Test("a truncated weights file is invalidWeights, wherever it is cut", arguments: [0, 3, 8, 100, -4])
    func truncatedWeights(keeping bytes: Int) throws {
        let folder = try TinyModel().write("truncated-\(bytes)")
        let path = folder.url.appendingPathComponent("model.safetensors")
        let whole = try Data(contentsOf: path)
        try (bytes >= 0 ? whole.prefix(bytes) : whole.dropLast(-bytes)).write(to: path)
        let error = try loadingError(folder)
        #expect(error.code == .invalidWeights)
        #expect(error.message.contains("model.safetensors"))
    }

    @Test("a header that is not JSON is invalidWeights")
    func badHeader() throws {
        let folder = try TinyModel().write()
        let path = folder.url.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: path)
        bytes[8] = UInt8(ascii: "#")
        try bytes.write(to: path)
        let error = try loadingError(folder)
        #expect(error.code == .invalidWeights)
        #expect(error.message.contains("not a JSON object"))
    }

    @Test("a tensor with another shape than config.json implies is wrongTensorShape, naming it")
    func wrongShape() throws {
        let error = try loadingError(try TinyModel(shapes: ["encoder.layer.0.intermediate.dense.weight": [8, 5]]).write())
        #expect(error.code == .wrongTensorShape)
        #expect(error.message.contains("encoder.layer.0.intermediate.dense.weight"))
        #expect(error.message.contains("[8, 5]") && error.message.contains("[8, 4]"))

        // The same file against a config.json that disagrees with it.
        let other = try loadingError(try TinyModel(configuration: ["intermediate_size": 6]).write("other-config"))
        #expect(other.code == .wrongTensorShape)
    }

    @Test("a missing tensor is missingTensor; another dtype is invalidWeights")
    func missingTensorAndDtype() throws {
        let missing = try loadingError(try TinyModel(missing: ["encoder.layer.0.attention.self.key.bias"]).write())
        #expect(missing.code == .missingTensor)
        #expect(missing.message.contains("encoder.layer.0.attention.self.key.bias"))

        let half = try loadingError(try TinyModel(dtypes: ["embeddings.word_embeddings.weight": "F16"]).write())
        #expect(half.code == .invalidWeights)
        #expect(half.message.contains("F16"))
    }

    @Test("a config.json for another model is invalidConfiguration")
    func otherConfiguration() throws {
        for (change, words) in [
            (["model_type": "gpt2"], "model_type"), (["hidden_act": "relu"], "hidden_act"),
            (["position_embedding_type": "relative_key"], "position_embedding_type"),
            (["num_attention_heads": 3], "num_attention_heads"), (["hidden_size": "four"], "config.json"),
        ] as [([String: Any], String)] {
            let error = try loadingError(try TinyModel(configuration: change).write("config-\(words)"))
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains(words))
        }
    }

    @Test("a vocab.txt that does not fit is invalidVocabulary")
    func badVocabulary() throws {
        let short = try loadingError(try TinyModel(configuration: ["vocab_size": 30522]).write("short-vocabulary"))
        #expect(short.code == .invalidVocabulary)
        #expect(short.message.contains("30522"))

        var model = TinyModel()
        model.vocabulary[2] = "[KLS]"
        let noClassifier = try loadingError(try model.write())
        #expect(noClassifier.code == .invalidVocabulary)
        #expect(noClassifier.message.contains("[CLS]"))
    }
}
