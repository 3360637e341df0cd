import Embeddings
import Foundation
import Testing

/// The Swift encoder against the numpy reference (scripts/embeddings-reference/reference.py, run by
/// scripts/generate-embedding-vectors) on the same model files.
@Suite("Embeddings: the real all-MiniLM-L6-v2 against the numpy reference", .enabled(if: realEmbedder != nil))
struct ReferenceVectorTests {
    let embedder = realEmbedder!
    let reference = try! ReferenceVectors.load()

    @Test("the reference covers at least 20 texts, one past 256 tokens, and the model's sizes")
    func referenceAndSizes() {
        #expect(reference.items.count >= 20)
        #expect(reference.items.contains { $0.ids.count == 256 })
        #expect(embedder.dimension == 384)
        #expect(embedder.maximumTokens == reference.maximumTokens)
        #expect(embedder.maximumTokens == 256)
    }

    @Test("token ids equal the reference tokenizer's exactly")
    func tokenIDs() {
        for item in reference.items {
            #expect(embedder.tokenize(item.text) == item.ids, "\(item.text.debugDescription)")
        }
    }

    @Test("vectors agree: cosine ≥ 0.9999, max abs difference ≤ 1e-4, unit length")
    func vectors() throws {
        let vectors = try embedder.embed(reference.items.map(\.text))
        #expect(vectors.count == reference.items.count)
        for (vector, item) in zip(vectors, reference.items) {
            #expect(vector.count == 384)
            let similarity = cosine(vector, item.vector)
            let difference = maximumAbsoluteDifference(vector, item.vector)
            #expect(similarity >= 0.9999, "cosine \(similarity) for \(item.text.debugDescription)")
            #expect(difference <= 1e-4, "max abs difference \(difference) for \(item.text.debugDescription)")
            #expect(abs(cosine(vector, vector) - 1) < 1e-6)
            let length = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(length - 1) < 1e-5)
        }
    }

    @Test("a text's vector is the same alone and in any padded batch")
    func paddingInvariance() throws {
        let texts = reference.items.map(\.text)
        let alone = try texts.map { try embedder.embed([$0])[0] }
        let batched = try embedder.embed(texts)
        let reversed = try embedder.embed(texts.reversed())
        let shortAmongLong = try embedder.embed([texts[24], texts[22], texts[24]])
        for index in texts.indices {
            #expect(maximumAbsoluteDifference(batched[index], alone[index]) <= 1e-6, "\(texts[index].debugDescription)")
            #expect(maximumAbsoluteDifference(reversed[texts.count - 1 - index], alone[index]) <= 1e-6)
        }
        #expect(maximumAbsoluteDifference(shortAmongLong[1], alone[22]) <= 1e-6)
        #expect(shortAmongLong[0] == shortAmongLong[2])
    }

    @Test("texts that mean the same are closer than texts that do not")
    func meaning() throws {
        let vectors = try embedder.embed(["something warm for my head", "a wool cap", "a steel water bottle"])
        #expect(cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]))
    }

    @Test("an empty text, or one of only whitespace, controls and accents, is an error; no texts, no vectors")
    func emptyText() throws {
        #expect(embedder.tokenize("") == [101, 102])
        #expect(embedder.tokenize(" \t\u{200B}\u{0301}\n ") == [101, 102])
        for texts in [[""], ["a cap", " \t\u{200B}\u{0301}\n "]] {
            let error = try #require(throws: EmbeddingsError.self) { try embedder.embed(texts) }
            #expect(error.code == .emptyText)
            #expect(error.message.contains("text \(texts.count - 1) of \(texts.count)"))
        }
        #expect(try embedder.embed([]).isEmpty)
    }

    @Test("a batch larger than one forward pass gives the same vectors")
    func manyTexts() throws {
        let texts = (0..<300).map { "Catalog item \($0): " + reference.items[$0 % 20].text }
        let all = try embedder.embed(texts)
        #expect(all.count == 300)
        for index in [0, 150, 299] {
            #expect(maximumAbsoluteDifference(all[index], try embedder.embed([texts[index]])[0]) <= 1e-6)
        }
    }
}
