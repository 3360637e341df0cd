import Foundation
import TestSupport

/// A small BERT model written by the tests (random weights, hidden size 4, one layer, 16
/// positions, a 20-token vocabulary), to test loading, errors and tokenization without the real
/// files; each corruption a test needs is a parameter.
struct TinyModel {
    static let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cap", "warm", "##s", "un", "##able",
        "cafe", ",", ".", "!", "山", "a", "##b", "ab", "head",
    ]

    var hiddenSize = 4
    var intermediateSize = 8
    var maximumPositions = 16
    var configuration: [String: Any] = [:]
    var vocabulary = TinyModel.vocabulary
    /// Tensor name → a shape to write instead of the right one.
    var shapes: [String: [Int]] = [:]
    var missing: Set<String> = []
    /// Tensor name → a dtype to write instead of F32 (2 bytes an element for F16).
    var dtypes: [String: String] = [:]

    /// Writes config.json, vocab.txt and model.safetensors into a new temporary folder.
    func write(_ name: String = #function) throws -> TemporaryFolder {
        let folder = try TemporaryFolder("embeddings-" + name)
        var config: [String: Any] = [
            "model_type": "bert", "vocab_size": vocabulary.count, "hidden_size": hiddenSize, "num_hidden_layers": 1,
            "num_attention_heads": 2, "intermediate_size": intermediateSize, "max_position_embeddings": maximumPositions,
            "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu", "position_embedding_type": "absolute",
        ]
        config.merge(configuration) { $1 }
        try JSONSerialization.data(withJSONObject: config).write(to: folder.url.appendingPathComponent("config.json"))
        try (vocabulary.joined(separator: "\n") + "\n").write(to: folder.url.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        try safetensors().write(to: folder.url.appendingPathComponent("model.safetensors"))
        return folder
    }

    /// Every tensor a `BertModel` with these sizes has, with its shape.
    private var tensors: [(String, [Int])] {
        let hidden = hiddenSize
        var tensors: [(String, [Int])] = [
            ("embeddings.word_embeddings.weight", [vocabulary.count, hidden]),
            ("embeddings.position_embeddings.weight", [maximumPositions, hidden]),
            ("embeddings.token_type_embeddings.weight", [2, hidden]),
            ("embeddings.LayerNorm.weight", [hidden]), ("embeddings.LayerNorm.bias", [hidden]),
        ]
        let prefix = "encoder.layer.0."
        for (name, outputs, inputs) in [
            ("attention.self.query", hidden, hidden), ("attention.self.key", hidden, hidden),
            ("attention.self.value", hidden, hidden), ("attention.output.dense", hidden, hidden),
            ("intermediate.dense", intermediateSize, hidden), ("output.dense", hidden, intermediateSize),
        ] {
            tensors.append((prefix + name + ".weight", [outputs, inputs]))
            tensors.append((prefix + name + ".bias", [outputs]))
        }
        for norm in ["attention.output.LayerNorm", "output.LayerNorm"] {
            tensors.append((prefix + norm + ".weight", [hidden]))
            tensors.append((prefix + norm + ".bias", [hidden]))
        }
        return tensors
    }

    /// The safetensors bytes: header length, JSON header padded to 8 bytes, data.
    private func safetensors() throws -> Data {
        var generator = SeededGenerator(seed: 17)
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var data = Data()
        for (name, rightShape) in tensors where !missing.contains(name) {
            let shape = shapes[name] ?? rightShape
            let count = shape.reduce(1, *)
            let dtype = dtypes[name] ?? "F32"
            let start = data.count
            if dtype == "F32" {
                for _ in 0..<count {
                    let value = Float.random(in: -0.5...0.5, using: &generator) + (name.hasSuffix("LayerNorm.weight") ? 1 : 0)
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
                }
            } else {
                data.append(Data(count: count * 2))
            }
            header[name] = ["dtype": dtype, "shape": shape, "data_offsets": [start, data.count]]
        }
        var json = try JSONSerialization.data(withJSONObject: header)
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        return file + json + data
    }
}

/// A deterministic random number generator (SplitMix64), so every run writes the same weights.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
