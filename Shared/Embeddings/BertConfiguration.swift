import Foundation

/// The fields of a Hugging Face BERT `config.json` that the encoder needs, checked for a model it
/// can run: `model_type` `bert`, `hidden_act` `gelu` (the exact, erf-based GELU), absolute
/// position embeddings, and a hidden size that the heads divide.
struct BertConfiguration: Sendable, Equatable {
    var vocabularySize: Int
    var hiddenSize: Int
    var layerCount: Int
    var headCount: Int
    var intermediateSize: Int
    var maximumPositions: Int
    var typeVocabularySize: Int
    var layerNormEpsilon: Float

    var headSize: Int { hiddenSize / headCount }

    private struct File: Decodable {
        var model_type: String?
        var vocab_size: Int
        var hidden_size: Int
        var num_hidden_layers: Int
        var num_attention_heads: Int
        var intermediate_size: Int
        var max_position_embeddings: Int
        var type_vocab_size: Int
        var layer_norm_eps: Double
        var hidden_act: String
        var position_embedding_type: String?
    }

    /// Parses and checks `config.json`; throws ``EmbeddingsError/Code/invalidConfiguration``.
    init(json data: Data, path: String) throws {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw EmbeddingsError(.invalidConfiguration, "\(path) is not a BERT config.json: \(error)")
        }
        func fail(_ reason: String) -> EmbeddingsError {
            EmbeddingsError(.invalidConfiguration, "\(path): \(reason)")
        }
        if let type = file.model_type, type != "bert" { throw fail("model_type is \"\(type)\", not \"bert\"") }
        guard file.hidden_act == "gelu" else { throw fail("hidden_act is \"\(file.hidden_act)\"; only \"gelu\" is supported") }
        if let positions = file.position_embedding_type, positions != "absolute" {
            throw fail("position_embedding_type is \"\(positions)\"; only \"absolute\" is supported")
        }
        let sizes = [file.vocab_size, file.hidden_size, file.num_hidden_layers, file.num_attention_heads,
                     file.intermediate_size, file.max_position_embeddings, file.type_vocab_size]
        guard sizes.allSatisfy({ $0 > 0 }) else { throw fail("every size must be positive") }
        guard file.hidden_size % file.num_attention_heads == 0 else {
            throw fail("hidden_size \(file.hidden_size) is not a multiple of num_attention_heads \(file.num_attention_heads)")
        }
        guard file.layer_norm_eps > 0 else { throw fail("layer_norm_eps must be positive") }
        vocabularySize = file.vocab_size
        hiddenSize = file.hidden_size
        layerCount = file.num_hidden_layers
        headCount = file.num_attention_heads
        intermediateSize = file.intermediate_size
        maximumPositions = file.max_position_embeddings
        typeVocabularySize = file.type_vocab_size
        layerNormEpsilon = Float(file.layer_norm_eps)
    }
}
