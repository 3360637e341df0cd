import Foundation

/// BERT's encoder (Hugging Face `BertModel`, post-norm, absolute positions, exact GELU) followed by
/// mean pooling and L2 normalisation, as sentence-transformers runs `all-MiniLM-L6-v2`.
///
/// A batch is computed *packed*: the tokens of all its texts are stacked into one
/// `tokens × hidden` matrix for the per-token steps (embeddings, linear layers, layer norms,
/// GELU), and attention runs per text over that text's own tokens. This is what padding with an
/// attention mask computes, minus the padding positions, which are never computed, so they cannot
/// leak into a text's vector.
///
/// `@unchecked Sendable`: every stored property is a `let`; the weight buffers point into `file`'s
/// read-only mapping, which this object keeps alive; each call works in buffers of its own.
final class BertEncoder: @unchecked Sendable {
    let configuration: BertConfiguration
    private let file: SafetensorsFile
    private let weights: BertWeights

    init(file: SafetensorsFile, configuration: BertConfiguration) throws {
        self.file = file
        self.configuration = configuration
        weights = try BertWeights(file: file, configuration: configuration)
    }

    /// One L2-normalised vector of `hiddenSize` per sequence of token ids. Each sequence is
    /// non-empty, at most `maximumPositions` long, and its ids are within the vocabulary.
    func sentenceEmbeddings(_ sequences: [[Int]]) -> [[Float]] {
        let starts = sequences.reduce(into: [0]) { starts, sequence in starts.append(starts.last! + sequence.count) }
        let buffers = Buffers(
            tokens: starts.last!, hiddenSize: configuration.hiddenSize, intermediateSize: configuration.intermediateSize,
            longest: sequences.map(\.count).max() ?? 0)
        defer { buffers.deallocate() }
        let epsilon = configuration.layerNormEpsilon

        embedTokens(sequences, into: buffers.hidden)
        for layer in weights.layers {
            Self.apply(layer.query, to: buffers.hidden, into: buffers.query)
            Self.apply(layer.key, to: buffers.hidden, into: buffers.key)
            Self.apply(layer.value, to: buffers.hidden, into: buffers.value)
            for (index, sequence) in sequences.enumerated() {
                selfAttention(rows: starts[index], count: sequence.count, buffers: buffers)
            }
            Self.apply(layer.attentionOutput, to: buffers.context, into: buffers.attention)
            Self.addAndNormalize(buffers.attention, residual: buffers.hidden, norm: layer.attentionNorm, epsilon: epsilon)
            Self.apply(layer.intermediate, to: buffers.attention, into: buffers.intermediate)
            Self.gelu(buffers.intermediate)
            Self.apply(layer.output, to: buffers.intermediate, into: buffers.hidden)
            Self.addAndNormalize(buffers.hidden, residual: buffers.attention, norm: layer.outputNorm, epsilon: epsilon)
        }
        return sequences.indices.map { index in
            Self.meanPooledUnitVector(buffers.hidden, rows: starts[index]..<starts[index + 1], width: configuration.hiddenSize)
        }
    }

    /// The working memory of one call: `tokens × hiddenSize` matrices for the hidden states, the
    /// attention's query, key, value and context, and the attention block's output; a
    /// `tokens × intermediateSize` one for the feed-forward block; `longest²` attention scores.
    private struct Buffers {
        let hidden, query, key, value, context, attention, intermediate, scores: UnsafeMutableBufferPointer<Float>

        init(tokens: Int, hiddenSize: Int, intermediateSize: Int, longest: Int) {
            func matrix(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
                let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
                buffer.initialize(repeating: 0)
                return buffer
            }
            hidden = matrix(tokens * hiddenSize)
            query = matrix(tokens * hiddenSize)
            key = matrix(tokens * hiddenSize)
            value = matrix(tokens * hiddenSize)
            context = matrix(tokens * hiddenSize)
            attention = matrix(tokens * hiddenSize)
            intermediate = matrix(tokens * intermediateSize)
            scores = matrix(longest * longest)
        }

        func deallocate() {
            for buffer in [hidden, query, key, value, context, attention, intermediate, scores] { buffer.deallocate() }
        }
    }

    /// Word + position + token type (always type 0: one segment) embeddings, then layer norm.
    private func embedTokens(_ sequences: [[Int]], into hidden: UnsafeMutableBufferPointer<Float>) {
        let width = configuration.hiddenSize
        var row = 0
        for sequence in sequences {
            for (position, id) in sequence.enumerated() {
                let output = hidden.baseAddress! + row * width
                let word = weights.wordEmbeddings.baseAddress! + id * width
                let place = weights.positionEmbeddings.baseAddress! + position * width
                let type = weights.tokenTypeEmbeddings.baseAddress!
                for column in 0..<width {
                    output[column] = word[column] + place[column] + type[column]
                }
                row += 1
            }
        }
        Self.layerNorm(hidden, norm: weights.embeddingNorm, epsilon: configuration.layerNormEpsilon)
    }

    /// Multi-head self-attention of one text, whose tokens are rows `rows ..< rows + count`:
    /// per head, `softmax(Q·Kᵀ / √headSize) · V` into that head's columns of `context`.
    private func selfAttention(rows first: Int, count: Int, buffers: Buffers) {
        let (query, key, value, scores, context) = (buffers.query, buffers.key, buffers.value, buffers.scores, buffers.context)
        let width = configuration.hiddenSize
        let headSize = configuration.headSize
        let scale = 1 / Float(headSize).squareRoot()
        for head in 0..<configuration.headCount {
            let offset = first * width + head * headSize
            BLAS.gemm(
                m: count, n: count, k: headSize, alpha: scale,
                a: query.baseAddress! + offset, lda: width, b: key.baseAddress! + offset, ldb: width, transposeB: true,
                beta: 0, c: scores.baseAddress!, ldc: count)
            for row in 0..<count {
                Self.softmax(UnsafeMutableBufferPointer(start: scores.baseAddress! + row * count, count: count))
            }
            BLAS.gemm(
                m: count, n: headSize, k: count, alpha: 1,
                a: scores.baseAddress!, lda: count, b: value.baseAddress! + offset, ldb: width, transposeB: false,
                beta: 0, c: context.baseAddress! + offset, ldc: width)
        }
    }

    /// `output = input · weightᵀ + bias`, for every row of `input`.
    private static func apply(_ linear: LinearWeights, to input: UnsafeMutableBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        let rows = input.count / linear.inputs
        for row in 0..<rows {
            _ = UnsafeMutableBufferPointer(rebasing: output[(row * linear.outputs)..<((row + 1) * linear.outputs)])
                .update(fromContentsOf: linear.bias)
        }
        BLAS.gemm(
            m: rows, n: linear.outputs, k: linear.inputs, alpha: 1,
            a: input.baseAddress!, lda: linear.inputs, b: linear.weight.baseAddress!, ldb: linear.inputs, transposeB: true,
            beta: 1, c: output.baseAddress!, ldc: linear.outputs)
    }

    /// `values += residual`, then layer norm, row by row.
    private static func addAndNormalize(
        _ values: UnsafeMutableBufferPointer<Float>, residual: UnsafeMutableBufferPointer<Float>,
        norm: LayerNormWeights, epsilon: Float
    ) {
        for index in values.indices { values[index] += residual[index] }
        layerNorm(values, norm: norm, epsilon: epsilon)
    }

    /// Each row becomes `(x - mean) / √(variance + ε) · weight + bias` (biased variance, as
    /// PyTorch's `LayerNorm`).
    private static func layerNorm(_ values: UnsafeMutableBufferPointer<Float>, norm: LayerNormWeights, epsilon: Float) {
        let width = norm.weight.count
        for start in stride(from: 0, to: values.count, by: width) {
            let row = values.baseAddress! + start
            var sum: Float = 0
            for column in 0..<width { sum += row[column] }
            let mean = sum / Float(width)
            var squares: Float = 0
            for column in 0..<width {
                let centred = row[column] - mean
                squares += centred * centred
            }
            let inverse = 1 / (squares / Float(width) + epsilon).squareRoot()
            for column in 0..<width {
                row[column] = (row[column] - mean) * inverse * norm.weight[column] + norm.bias[column]
            }
        }
    }

    /// The exact GELU, `x · Φ(x) = x/2 · (1 + erf(x/√2))` (BERT's `hidden_act: gelu`).
    private static func gelu(_ values: UnsafeMutableBufferPointer<Float>) {
        let inverseSquareRootOfTwo = Float(0.5).squareRoot()
        for index in values.indices {
            let x = values[index]
            values[index] = 0.5 * x * (1 + erf(x * inverseSquareRootOfTwo))
        }
    }

    /// A numerically stable softmax in place.
    private static func softmax(_ values: UnsafeMutableBufferPointer<Float>) {
        let largest = values.max()!
        var sum: Float = 0
        for index in values.indices {
            let exponential = exp(values[index] - largest)
            values[index] = exponential
            sum += exponential
        }
        let inverse = 1 / sum
        for index in values.indices { values[index] *= inverse }
    }

    /// The mean of `rows` of `hidden`, scaled to unit length (as sentence-transformers'
    /// `Normalize`: divided by max(‖v‖, 1e-12)).
    private static func meanPooledUnitVector(_ hidden: UnsafeMutableBufferPointer<Float>, rows: Range<Int>, width: Int) -> [Float] {
        var vector = [Float](repeating: 0, count: width)
        for row in rows {
            for column in 0..<width { vector[column] += hidden[row * width + column] }
        }
        let count = Float(rows.count)
        for column in 0..<width { vector[column] /= count }
        let norm = max(vector.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        return vector.map { $0 / norm }
    }
}
