/// BERT's WordPiece tokeniser, matching Hugging Face's Rust `tokenizers` as
/// sentence-transformers drives it (all-MiniLM-L6-v2 and other BERT vocabularies):
/// special tokens matched in the raw text, `TextNormalizer`, `PreTokenizer`, `WordPiece`,
/// then `[CLS]` + the first `maxLength − 2` pieces + `[SEP]`.
///
/// sentence-transformers calls `text.strip()` first. That changes no token here: every
/// character Python strips is either white space, which only separates words, or a control
/// character, which clean_text deletes.
package struct BertTokenizer: Sendable {
    package let vocabulary: WordPieceVocabulary
    /// Most ids `encode` returns, `[CLS]` and `[SEP]` included (256 for all-MiniLM-L6-v2).
    package let maxLength: Int
    private let normalizer: TextNormalizer
    private let wordPiece: WordPiece
    private let specialTokens: SpecialTokenSplitter

    /// Raw text is normalised this many scalars at a time (cut at white space), so that a long
    /// document is only worked through as far as `maxLength` pieces need.
    private static let chunkLength = 1024

    /// - Parameters:
    ///   - lowercase: `true` for uncased vocabularies (lowercase and strip accents), `false`
    ///     for cased ones (neither), as Hugging Face does when strip_accents is unset.
    ///   - maxInputCharsPerWord: longer words (in scalars, after normalisation) become `[UNK]`.
    package init(
        vocabulary: WordPieceVocabulary,
        maxLength: Int = 256,
        lowercase: Bool = true,
        maxInputCharsPerWord: Int = 100
    ) {
        precondition(maxLength >= 2, "maxLength \(maxLength) leaves no room for [CLS] and [SEP]")
        self.vocabulary = vocabulary
        self.maxLength = maxLength
        self.normalizer = TextNormalizer(lowercase: lowercase)
        self.wordPiece = WordPiece(vocabulary: vocabulary, maxInputCharsPerWord: maxInputCharsPerWord)
        self.specialTokens = SpecialTokenSplitter(vocabulary: vocabulary)
    }

    /// Word pieces of `text` (normalised, pre-tokenised, WordPiece), without [CLS]/[SEP] and
    /// untruncated.
    package func wordPieces(_ text: String) -> [String] {
        self.pieceIDs(text, limit: .max).map(self.tokenText)
    }

    /// [CLS] + pieces (truncated to maxLength − 2) + [SEP] as ids.
    package func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [Int32(self.vocabulary.classifierID)]
        ids.append(contentsOf: self.pieceIDs(text, limit: self.maxLength - 2))
        ids.append(Int32(self.vocabulary.separatorID))
        return ids
    }

    /// Tokens for the same ids as `encode` (for `fedtune embed --tokens` style debugging).
    package func tokens(_ text: String) -> [String] {
        self.encode(text).map(self.tokenText)
    }

    /// Every text encoded, right-padded with `[PAD]` to the longest.
    package func encodeBatch(_ texts: [String]) -> TokenBatch {
        TokenBatch(padding: texts.map(self.encode), paddingID: Int32(self.vocabulary.paddingID))
    }

    private func tokenText(_ id: Int32) -> String {
        self.vocabulary.token(of: Int(id)) ?? "[UNK]"
    }

    /// The first `limit` piece ids of `text`. Work stops once `limit` pieces are certain; a
    /// word is always finished first, since a failure at its end turns it into one `[UNK]`.
    private func pieceIDs(_ text: String, limit: Int) -> [Int32] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int32] = []
        var normalized: [Unicode.Scalar] = []
        var scratch: [Unicode.Scalar] = []
        var words: [Range<Int>] = []
        var wordScratch = WordPiece.Scratch()
        segments: for segment in self.specialTokens.segments(of: scalars) {
            guard ids.count < limit else { break }
            switch segment {
            case .special(let id):
                ids.append(id)
            case .text(let range):
                var start = range.lowerBound
                while start < range.upperBound {
                    guard ids.count < limit else { break segments }
                    let end = Self.chunkEnd(scalars, from: start, before: range.upperBound)
                    normalized.removeAll(keepingCapacity: true)
                    self.normalizer.normalize(scalars[start..<end], into: &normalized, scratch: &scratch)
                    PreTokenizer.split(normalized, into: &words)
                    for word in words {
                        guard ids.count < limit else { break segments }
                        self.wordPiece.appendPieces(of: normalized[word], to: &ids, scratch: &wordScratch)
                    }
                    start = end
                }
            }
        }
        if ids.count > limit { ids.removeSubrange(limit...) }
        return ids
    }

    /// End of the chunk starting at `start`: just after the first white space at least
    /// `chunkLength` scalars in, or `limit`. White space that clean_text keeps (as a space)
    /// ends a word and no normalisation step looks across it, so chunks normalise exactly as
    /// the whole text would. (`\u{0C}` and U+0085 are white space too, but clean_text deletes
    /// them without splitting the word, so they are no place to cut.)
    private static func chunkEnd(_ scalars: [Unicode.Scalar], from start: Int, before limit: Int) -> Int {
        var index = start + Self.chunkLength
        while index < limit {
            let scalar = scalars[index]
            if CharacterClasses.isWhitespace(scalar) && !CharacterClasses.isRemovedByCleaning(scalar) {
                return index + 1
            }
            index += 1
        }
        return limit
    }
}
