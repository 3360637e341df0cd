import Foundation

/// BERT's WordPiece tokenizer over a `vocab.txt` (one token a line; a token's id is its line
/// number from 0), after ``BasicTokenization``.
///
/// Each word is split greedily into the longest vocabulary entries from its start, continuation
/// pieces spelled `##piece`; a word that cannot be split, or is longer than 100 characters,
/// becomes `[UNK]`. Special tokens written in the text (`[CLS]`, `[SEP]`, `[UNK]`, `[PAD]`,
/// `[MASK]`) are those tokens. The ids are wrapped in `[CLS]` … `[SEP]` and truncated so the whole
/// sequence has at most ``maximumTokens`` ids (the pieces past the limit are dropped, `[SEP]`
/// stays).
struct WordPieceTokenizer: Sendable {
    let maximumTokens: Int
    let classifierID: Int
    let separatorID: Int
    let unknownID: Int
    private let vocabulary: [String: Int]
    private let specialTokens: [(token: String, id: Int)]
    private static let maximumCharactersPerWord = 100

    /// Parses `vocab.txt`; throws ``EmbeddingsError/Code/invalidVocabulary`` when it is empty,
    /// lacks a special token, or does not have `expectedSize` entries.
    init(vocabulary contents: String, expectedSize: Int, maximumTokens: Int, path: String) throws {
        var lines = contents.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.count == expectedSize else {
            throw EmbeddingsError(.invalidVocabulary, "\(path) has \(lines.count) tokens; config.json's vocab_size is \(expectedSize)")
        }
        var vocabulary: [String: Int] = [:]
        vocabulary.reserveCapacity(lines.count)
        for (id, line) in lines.enumerated() {
            // A line's trailing whitespace (a "\r" of a CRLF file) is not part of the token.
            var token = Substring(line)
            while let last = token.last, last.isWhitespace { token.removeLast() }
            vocabulary[String(token)] = id
        }
        func special(_ token: String) throws -> Int {
            guard let id = vocabulary[token] else {
                throw EmbeddingsError(.invalidVocabulary, "\(path) has no \(token) token")
            }
            return id
        }
        classifierID = try special("[CLS]")
        separatorID = try special("[SEP]")
        unknownID = try special("[UNK]")
        specialTokens = ["[CLS]", "[SEP]", "[UNK]", "[PAD]", "[MASK]"].compactMap { token in
            vocabulary[token].map { (token, $0) }
        }
        self.vocabulary = vocabulary
        self.maximumTokens = maximumTokens
    }

    /// The ids of `text`: `[CLS]`, its word pieces (at most `maximumTokens - 2`), `[SEP]`.
    func tokenize(_ text: String) -> [Int] {
        var ids: [Int] = []
        for segment in segments(of: text) {
            switch segment {
            case .special(let id):
                ids.append(id)
            case .text(let text):
                for word in BasicTokenization.words(text) { ids += pieces(of: word) }
            }
        }
        return [classifierID] + ids.prefix(maximumTokens - 2) + [separatorID]
    }

    private enum Segment {
        case text(String)
        case special(Int)
    }

    /// `text` split around the special tokens written in it: `[CLS]`, `[SEP]`, `[UNK]`, `[PAD]`
    /// and `[MASK]`, spelled exactly so, anywhere, are those tokens, as in Hugging Face's BERT
    /// tokenizers (they match special tokens in the raw text before normalising it).
    private func segments(of text: String) -> [Segment] {
        var segments: [Segment] = []
        var rest = Substring(text).unicodeScalars
        var plain = String.UnicodeScalarView()
        while let first = rest.first {
            if first == "[", let (token, id) = specialTokens.first(where: { rest.starts(with: $0.token.unicodeScalars) }) {
                if !plain.isEmpty { segments.append(.text(String(plain))) }
                plain = String.UnicodeScalarView()
                segments.append(.special(id))
                rest = rest.dropFirst(token.unicodeScalars.count)
            } else {
                plain.append(first)
                rest = rest.dropFirst()
            }
        }
        if !plain.isEmpty { segments.append(.text(String(plain))) }
        return segments
    }

    /// The word-piece ids of one word, or `[UNK]`.
    private func pieces(of word: [Unicode.Scalar]) -> [Int] {
        guard word.count <= Self.maximumCharactersPerWord else { return [unknownID] }
        var ids: [Int] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int?
            while start < end {
                var piece = start > 0 ? "##" : ""
                piece.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[piece] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else { return [unknownID] }
            ids.append(id)
            start = end
        }
        return ids
    }
}
