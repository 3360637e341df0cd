import Foundation

/// Sentence embeddings from a BERT sentence-transformers model, computed in Swift over the
/// platform's BLAS: `all-MiniLM-L6-v2` gives 384 numbers per text, and texts that mean similar
/// things get vectors with a high cosine similarity (their dot product, as every vector has
/// length 1).
///
/// The pipeline is sentence-transformers' for that model: WordPiece tokens (uncased BERT basic
/// tokenization, `[CLS]` … `[SEP]`, at most ``maximumTokens``), the BERT encoder, the mean of the
/// last hidden states over the text's tokens, L2 normalisation.
///
/// **CPU-bound and synchronous.** ``embed(_:)`` computes on the calling thread (the matrix products
/// may use the BLAS's own threads) and takes milliseconds per text: call it from a task or thread
/// of its own, never on a NIO event loop. An embedder is immutable and `Sendable`; concurrent calls
/// are safe.
public struct SentenceEmbedder: Sendable {
    private let tokenizer: WordPieceTokenizer
    private let encoder: BertEncoder
    /// How many tokens one forward pass holds at most (a batch is split into passes of at most this
    /// many tokens, so memory stays bounded for any number of texts: ~50 MB for 4096 tokens).
    private static let tokensPerPass = 4096

    /// Loads a model from a folder holding `config.json`, `vocab.txt` and `model.safetensors`
    /// (the files `ModelCache` keeps; `model.safetensors` is memory-mapped, not read).
    ///
    /// Throws ``EmbeddingsError`` when a file is missing (`.missingFile`), `config.json` describes
    /// another architecture (`.invalidConfiguration`), `vocab.txt` does not fit it
    /// (`.invalidVocabulary`), the weights file is truncated or not F32 (`.invalidWeights`), or a
    /// tensor is missing or has another shape than `config.json` implies (`.missingTensor`,
    /// `.wrongTensorShape`).
    public init(modelDirectory: URL) throws {
        func read(_ name: String) throws -> (Data, String) {
            let path = modelDirectory.appendingPathComponent(name).path
            do {
                return (try Data(contentsOf: URL(fileURLWithPath: path)), path)
            } catch {
                throw EmbeddingsError(.missingFile, "cannot read \(path): \(error.localizedDescription)")
            }
        }
        let (configurationData, configurationPath) = try read("config.json")
        let configuration = try BertConfiguration(json: configurationData, path: configurationPath)
        let (vocabularyData, vocabularyPath) = try read("vocab.txt")
        guard let vocabulary = String(data: vocabularyData, encoding: .utf8) else {
            throw EmbeddingsError(.invalidVocabulary, "\(vocabularyPath) is not UTF-8 text")
        }
        tokenizer = try WordPieceTokenizer(
            vocabulary: vocabulary, expectedSize: configuration.vocabularySize,
            maximumTokens: min(256, configuration.maximumPositions), path: vocabularyPath)
        let weights = try SafetensorsFile(path: modelDirectory.appendingPathComponent("model.safetensors").path)
        encoder = try BertEncoder(file: weights, configuration: configuration)
    }

    /// The length of every vector (384 for `all-MiniLM-L6-v2`: `hidden_size` in `config.json`).
    public var dimension: Int { encoder.configuration.hiddenSize }

    /// The most tokens a text is read to, `[CLS]` and `[SEP]` included: 256 (sentence-transformers'
    /// `max_seq_length` for this model); the rest of a longer text is ignored.
    public var maximumTokens: Int { tokenizer.maximumTokens }

    /// The token ids of `text` as the model sees it: `[CLS]` (101), the WordPiece ids, `[SEP]`
    /// (102), truncated to ``maximumTokens``. A text without tokens gives `[101, 102]`.
    public func tokenize(_ text: String) -> [Int] {
        tokenizer.tokenize(text)
    }

    /// One vector of ``dimension`` numbers per text, in order, each of length 1 (L2-normalised).
    ///
    /// A text's vector does not depend on the other texts of the batch; batching only saves time.
    /// Synchronous and CPU-bound (see the type's documentation). Throws ``EmbeddingsError`` with
    /// code `.emptyText` (naming the text's index) when a text has no tokens: empty, or only
    /// whitespace, control characters or accents; nothing is computed then.
    public func embed(_ texts: [String]) throws -> [[Float]] {
        let sequences = texts.map(tokenizer.tokenize)
        if let empty = sequences.firstIndex(where: { $0.count <= 2 }) {
            throw EmbeddingsError(.emptyText, "text \(empty) of \(texts.count) has no tokens (it is empty, or only whitespace, control characters or accents)")
        }
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var pass: [[Int]] = []
        var tokens = 0
        for sequence in sequences {
            if tokens + sequence.count > Self.tokensPerPass, !pass.isEmpty {
                vectors += encoder.sentenceEmbeddings(pass)
                pass.removeAll(keepingCapacity: true)
                tokens = 0
            }
            pass.append(sequence)
            tokens += sequence.count
        }
        if !pass.isEmpty { vectors += encoder.sentenceEmbeddings(pass) }
        return vectors
    }
}
