import Embeddings
import Foundation
import StateFolder

/// The loaded model: its verified files, with `config.json` and `vocab.txt` parsed and checked
/// against each other, and the ``SentenceEmbedder`` that runs it.
struct LoadedModel: Sendable {
    /// The fields of a BERT `config.json` the worker checks.
    struct Configuration: Decodable, Sendable {
        var modelType: String
        var hiddenSize: Int
        var numHiddenLayers: Int
        var vocabSize: Int

        enum CodingKeys: String, CodingKey {
            case modelType = "model_type", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers", vocabSize = "vocab_size"
        }
    }

    let files: ModelFiles
    let configuration: Configuration
    /// The WordPiece vocabulary, one token per line of `vocab.txt`.
    let vocabulary: [Substring]
    /// The encoder over the files' weights (`Shared/Embeddings`).
    let embedder: SentenceEmbedder

    /// Parses `config.json` and `vocab.txt` of `files` and loads the encoder. Blocking (reads
    /// files): call it off the event loops.
    init(_ files: ModelFiles) throws {
        self.files = files
        do {
            configuration = try JSONDecoder().decode(Configuration.self, from: Data(contentsOf: files.url(for: "config.json")))
        } catch {
            throw StateFolderError(.state, "the model's config.json cannot be read: \(error)")
        }
        let text = try String(contentsOf: files.url(for: "vocab.txt"), encoding: .utf8)
        vocabulary = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0).map { $0 }
        guard vocabulary.count == configuration.vocabSize else {
            throw StateFolderError(.state, "vocab.txt has \(vocabulary.count) tokens, config.json says \(configuration.vocabSize)")
        }
        embedder = try SentenceEmbedder(modelDirectory: files.folder)
    }
}
