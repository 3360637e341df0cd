/// A linear layer as PyTorch stores it: `weight` is `outputs × inputs` (row-major), `bias` has
/// `outputs` values; `y = x · weightᵀ + bias`.
struct LinearWeights {
    var weight: UnsafeBufferPointer<Float>
    var bias: UnsafeBufferPointer<Float>
    var inputs: Int
    var outputs: Int
}

/// A layer norm's scale (`weight`) and shift (`bias`), one value per feature.
struct LayerNormWeights {
    var weight: UnsafeBufferPointer<Float>
    var bias: UnsafeBufferPointer<Float>
}

/// One transformer layer of BERT (post-norm).
struct BertLayerWeights {
    var query: LinearWeights
    var key: LinearWeights
    var value: LinearWeights
    var attentionOutput: LinearWeights
    var attentionNorm: LayerNormWeights
    var intermediate: LinearWeights
    var output: LinearWeights
    var outputNorm: LayerNormWeights
}

/// The tensors of a `BertModel` checkpoint (Hugging Face names, without a `bert.` prefix), each
/// checked against the shape `config.json` implies. The pooler is not used: sentence embeddings
/// are the mean of the last hidden states.
struct BertWeights {
    var wordEmbeddings: UnsafeBufferPointer<Float>
    var positionEmbeddings: UnsafeBufferPointer<Float>
    var tokenTypeEmbeddings: UnsafeBufferPointer<Float>
    var embeddingNorm: LayerNormWeights
    var layers: [BertLayerWeights]

    /// Looks every tensor up in `file`; throws ``EmbeddingsError/Code/missingTensor``,
    /// ``EmbeddingsError/Code/wrongTensorShape`` or ``EmbeddingsError/Code/invalidWeights``.
    init(file: SafetensorsFile, configuration: BertConfiguration) throws {
        let hidden = configuration.hiddenSize
        func linear(_ name: String, inputs: Int, outputs: Int) throws -> LinearWeights {
            LinearWeights(
                weight: try file.floats(name + ".weight", shape: [outputs, inputs]),
                bias: try file.floats(name + ".bias", shape: [outputs]),
                inputs: inputs, outputs: outputs)
        }
        func norm(_ name: String) throws -> LayerNormWeights {
            LayerNormWeights(weight: try file.floats(name + ".weight", shape: [hidden]), bias: try file.floats(name + ".bias", shape: [hidden]))
        }
        wordEmbeddings = try file.floats("embeddings.word_embeddings.weight", shape: [configuration.vocabularySize, hidden])
        positionEmbeddings = try file.floats("embeddings.position_embeddings.weight", shape: [configuration.maximumPositions, hidden])
        tokenTypeEmbeddings = try file.floats("embeddings.token_type_embeddings.weight", shape: [configuration.typeVocabularySize, hidden])
        embeddingNorm = try norm("embeddings.LayerNorm")
        layers = try (0..<configuration.layerCount).map { index in
            let prefix = "encoder.layer.\(index)."
            return BertLayerWeights(
                query: try linear(prefix + "attention.self.query", inputs: hidden, outputs: hidden),
                key: try linear(prefix + "attention.self.key", inputs: hidden, outputs: hidden),
                value: try linear(prefix + "attention.self.value", inputs: hidden, outputs: hidden),
                attentionOutput: try linear(prefix + "attention.output.dense", inputs: hidden, outputs: hidden),
                attentionNorm: try norm(prefix + "attention.output.LayerNorm"),
                intermediate: try linear(prefix + "intermediate.dense", inputs: hidden, outputs: configuration.intermediateSize),
                output: try linear(prefix + "output.dense", inputs: configuration.intermediateSize, outputs: hidden),
                outputNorm: try norm(prefix + "output.LayerNorm"))
        }
    }
}
