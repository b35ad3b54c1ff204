/// The character classes BERT's normaliser and pre-tokeniser test, defined as Hugging Face's
/// Rust `tokenizers` defines them (with its Unicode versions, see `RustUnicodeTables`).
/// ASCII is answered from the code point alone, since almost all text is mostly ASCII.
enum CharacterClasses {
    /// clean_text deletes NUL, U+FFFD and "control" characters: categories Cc, Cf and Co
    /// other than `\t \n \r`. Unassigned code points (Cn) are kept.
    static func isRemovedByCleaning(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value < 0x20 && value != 0x09 && value != 0x0A && value != 0x0D) || value == 0x7F
        }
        if value == 0xFFFD { return true }
        return RustUnicodeTables.category(of: scalar) { category in
            switch category {
            case .control, .format, .privateUse, .surrogate: return true
            default: return false
            }
        }
    }

    /// Unicode White_Space, which covers `\t \n \r` too. Both the normaliser (which turns these
    /// into spaces) and the pre-tokeniser (which splits on them) use this set.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return scalar.properties.isWhitespace
    }

    /// Every ASCII punctuation character (including `$ + < = > ^ ` | ~`, which Unicode calls
    /// symbols) and every Unicode P* character. Other symbols (€, ©, emoji) are not.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 0x21 && value <= 0x2F) || (value >= 0x3A && value <= 0x40)
                || (value >= 0x5B && value <= 0x60) || (value >= 0x7B && value <= 0x7E)
        }
        return RustUnicodeTables.category(of: scalar) { category in
            switch category {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                .initialPunctuation, .finalPunctuation, .otherPunctuation:
                return true
            default:
                return false
            }
        }
    }

    /// Category Mn, which accent stripping deletes after NFD.
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x300 && RustUnicodeTables.category(of: scalar) { $0 == .nonspacingMark }
    }

    /// The code points BERT surrounds with spaces so that each becomes its own word: CJK
    /// unified ideographs and their extensions, and the compatibility ideographs.
    ///
    /// The range starting at U+2B920 copies a typo in Rust's `tokenizers` (Python's BERT and
    /// the original Google code start it at U+2B820), so U+2B820–U+2B91F is not split here.
    /// Hiragana, katakana and Hangul are not in these ranges.
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x3400 { return false }
        return (0x4E00...0x9FFF).contains(value)
            || (0x3400...0x4DBF).contains(value)
            || (0x20000...0x2A6DF).contains(value)
            || (0x2A700...0x2B73F).contains(value)
            || (0x2B740...0x2B81F).contains(value)
            || (0x2B920...0x2CEAF).contains(value)
            || (0xF900...0xFAFF).contains(value)
            || (0x2F800...0x2FA1F).contains(value)
    }
}
