import Embeddings
import Foundation
import TestSupport
import Testing

/// WordPiece and BERT's basic tokenization on a small vocabulary (ids are line numbers of
/// ``TinyModel/vocabulary``); the real vocabulary is checked against the reference in
/// ``ReferenceVectorTests``.
@Suite("Embeddings: tokenization")
struct TokenizerTests {
    let embedder: SentenceEmbedder

    init() throws {
        let folder = try TinyModel().write("tokenizer")
        defer { folder.remove() }
        embedder = try SentenceEmbedder(modelDirectory: folder.url)
    }

    @Test("lower-cases, strips accents, splits punctuation, wraps in [CLS] … [SEP]")
    func basics() {
        #expect(embedder.tokenize("The CAP!") == [2, 5, 6, 14, 3])
        #expect(embedder.tokenize("Café, cafe.") == [2, 11, 12, 11, 13, 3])
        #expect(embedder.tokenize("\tthe\u{00A0}\u{200B}cap\n") == [2, 5, 6, 3])
    }

    @Test("splits words into the longest pieces; a word without pieces is [UNK]")
    func wordPieces() {
        #expect(embedder.tokenize("caps") == [2, 6, 8, 3])
        #expect(embedder.tokenize("unable") == [2, 9, 10, 3])
        #expect(embedder.tokenize("abb") == [2, 18, 17, 3])
        #expect(embedder.tokenize("capz warm") == [2, 1, 7, 3])
        #expect(embedder.tokenize(String(repeating: "ab", count: 51)) == [2, 1, 3])
    }

    @Test("each CJK ideograph is a word of its own")
    func cjk() {
        #expect(embedder.tokenize("山山cap") == [2, 15, 15, 6, 3])
    }

    @Test("special tokens written in the text are those tokens")
    func specialTokens() {
        #expect(embedder.tokenize("cap[SEP]the [MASK]") == [2, 6, 3, 5, 4, 3])
        #expect(embedder.tokenize("[cls] [CLS") == [2, 1, 1, 1, 1, 1, 3])
    }

    @Test("truncates to maximumTokens, keeping [SEP]")
    func truncation() {
        let ids = embedder.tokenize(Array(repeating: "the cap", count: 20).joined(separator: " "))
        #expect(ids.count == 16)
        #expect(ids.first == 2 && ids.last == 3)
        #expect(ids[1...14].allSatisfy { $0 == 5 || $0 == 6 })
    }
}
