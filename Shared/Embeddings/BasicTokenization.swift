import Foundation

/// BERT's basic tokenization, as Hugging Face `tokenizers` does it for an uncased BERT
/// (`BertNormalizer` with `clean_text`, `handle_chinese_chars`, `strip_accents` and `lowercase`,
/// then `BertPreTokenizer`):
///
/// 1. drop NUL, U+FFFD and control/format/unassigned/private-use characters (`\t`, `\n`, `\r`
///    are whitespace, not control); every whitespace character becomes a space;
/// 2. put spaces around each CJK ideograph, so each one is a word of its own;
/// 3. decompose (NFD) and drop the non-spacing marks: "é" → "e";
/// 4. lower-case each character (Unicode's full mapping, without context);
/// 5. split on whitespace, and make every punctuation character (ASCII punctuation or a Unicode
///    `P*` category) a word of its own.
///
/// Everything works on Unicode scalars (Rust `char`s in `tokenizers`), not grapheme clusters.
enum BasicTokenization {
    /// The words of `text`, each an array of Unicode scalars.
    static func words(_ text: String) -> [[Unicode.Scalar]] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if scalar.properties.isWhitespace {
                cleaned.append(" ")
            } else if isCJK(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
        var words: [[Unicode.Scalar]] = []
        var word: [Unicode.Scalar] = []
        func endWord() {
            if !word.isEmpty { words.append(word) }
            word.removeAll(keepingCapacity: true)
        }
        for scalar in decomposed.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
            for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                if lower.properties.isWhitespace {
                    endWord()
                } else if isPunctuation(lower) {
                    endWord()
                    words.append([lower])
                } else {
                    word.append(lower)
                }
            }
        }
        endWord()
        return words
    }

    /// `tokenizers`' `is_control`: Unicode `C*` categories except tab, newline, carriage return.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\r": return false
        default:
            switch scalar.properties.generalCategory {
            case .control, .format, .unassigned, .privateUse, .surrogate: return true
            default: return false
            }
        }
    }

    /// `tokenizers`' `is_bert_punc`: ASCII punctuation (which includes `$+<=>^`|~`) or a Unicode
    /// punctuation category.
    private static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value) || (123...126).contains(value)
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT treats as one-character words (Hangul, Hiragana and
    /// Katakana are not among them, as in BERT).
    private static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
            0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
