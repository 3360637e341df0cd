/// An error from loading the model or embedding texts.
///
/// Modelled on PostgresNIO's `PSQLError`: one struct, a nested ``Code`` to switch on, and a
/// message for people that names the file, tensor or text at fault.
public struct EmbeddingsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case missingFile, invalidConfiguration, invalidVocabulary, invalidWeights
            case missingTensor, wrongTensorShape, emptyText
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `config.json`, `vocab.txt` or `model.safetensors` is missing or cannot be read.
        public static let missingFile = Code(.missingFile)
        /// `config.json` is not JSON, lacks a field, or describes a model this encoder does not
        /// run (not BERT, another activation, relative positions).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// `vocab.txt` is empty, lacks `[CLS]`/`[SEP]`/`[UNK]`/`[PAD]`, or disagrees with
        /// `vocab_size` in `config.json`.
        public static let invalidVocabulary = Code(.invalidVocabulary)
        /// `model.safetensors` is not a safetensors file, is truncated, or holds a needed tensor in
        /// another type than F32.
        public static let invalidWeights = Code(.invalidWeights)
        /// A tensor the encoder needs is not in `model.safetensors`.
        public static let missingTensor = Code(.missingTensor)
        /// A tensor's shape disagrees with `config.json`.
        public static let wrongTensorShape = Code(.wrongTensorShape)
        /// A text has no tokens (empty, or only whitespace, control characters or accents).
        public static let emptyText = Code(.emptyText)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A human-readable message naming the file, tensor or text.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "embeddings \(code): \(message)" }
}
