/// BERT's normaliser (Hugging Face's `BertNormalizer` with clean_text and
/// handle_chinese_chars on, strip_accents following lowercase), on Unicode scalars.
///
/// In order, as Rust does it:
/// 1. clean_text: delete NUL, U+FFFD and control characters (Cc, Cf, Co other than
///    `\t \n \r`); turn every white-space character into a space. A deleted character does
///    not split a word (`nul\0char` → `nulchar`).
/// 2. Put a space on each side of every CJK ideograph.
/// 3. When lowercasing: NFD, then delete every non-spacing mark (Mn). This strips accents,
///    and also splits Hangul into jamo and drops Indic vowel signs; it is not NFKC.
/// 4. When lowercasing: each scalar's full lowercase mapping, without context (Σ → σ always).
struct TextNormalizer: Sendable {
    /// Lowercase and strip accents (uncased BERT); `false` keeps case and accents.
    let lowercase: Bool

    /// Normalises `input` and appends the result to `output`. `scratch` is working space,
    /// passed in so that a caller normalising many texts allocates it once.
    func normalize(
        _ input: some Sequence<Unicode.Scalar>,
        into output: inout [Unicode.Scalar],
        scratch: inout [Unicode.Scalar]
    ) {
        guard self.lowercase else {
            Self.clean(input, into: &output)
            return
        }
        scratch.removeAll(keepingCapacity: true)
        let allBelowDecomposable = Self.clean(input, into: &scratch)
        if allBelowDecomposable {
            // Below U+00C0 only A–Z change: nothing decomposes, there is no mark to strip, and
            // no other scalar there has a different lowercase.
            output.reserveCapacity(output.count + scratch.count)
            for scalar in scratch {
                output.append(Self.asciiLowercase(scalar))
            }
            return
        }
        var decomposed: [Unicode.Scalar] = []
        decomposed.reserveCapacity(scratch.count + scratch.count / 2)
        CanonicalDecomposition.append(scratch[...], to: &decomposed)
        for scalar in decomposed where !CharacterClasses.isNonspacingMark(scalar) {
            Self.appendLowercase(scalar, to: &output)
        }
    }

    /// Steps 1 and 2. Returns whether every scalar kept is below U+00C0.
    @discardableResult
    private static func clean(_ input: some Sequence<Unicode.Scalar>, into output: inout [Unicode.Scalar]) -> Bool {
        var allBelowDecomposable = true
        for scalar in input {
            if CharacterClasses.isRemovedByCleaning(scalar) { continue }
            if CharacterClasses.isWhitespace(scalar) {
                output.append(" ")
            } else if CharacterClasses.isChineseCharacter(scalar) {
                output.append(" ")
                output.append(scalar)
                output.append(" ")
                allBelowDecomposable = false
            } else {
                output.append(scalar)
                if scalar.value >= 0xC0 { allBelowDecomposable = false }
            }
        }
        return allBelowDecomposable
    }

    private static func asciiLowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let value = scalar.value
        guard value >= 0x41 && value <= 0x5A else { return scalar }
        return Unicode.Scalar(UInt8(value + 0x20))
    }

    /// Appends the full, context-free lowercase mapping (İ → i + U+0307, Σ → σ, ẞ → ß).
    private static func appendLowercase(_ scalar: Unicode.Scalar, to output: inout [Unicode.Scalar]) {
        if scalar.value < 0x80 {
            output.append(Self.asciiLowercase(scalar))
            return
        }
        let properties = scalar.properties
        // Below U+0530 every scalar with a lowercase predates Unicode 15.1; skip its age lookup.
        guard properties.changesWhenLowercased, scalar.value < 0x530 || RustUnicodeTables.hasLowercaseData(scalar)
        else {
            output.append(scalar)
            return
        }
        output.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
    }
}
