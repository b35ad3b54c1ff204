/// Finds special tokens such as `[MASK]` in raw text, before any normalisation, as Hugging
/// Face's added-token matching does for BERT: case-sensitive, no word boundary needed
/// (`hello[MASK]world` → `hello`, `[MASK]`, `world`), leftmost match first and the longest
/// one where several start at the same place. `[cls]` is not a match.
struct SpecialTokenSplitter: Sendable {
    /// A stretch of the text: ordinary text to normalise, or a special token's id.
    enum Segment: Equatable {
        case text(Range<Int>)
        case special(Int32)
    }

    private let tokens: [(scalars: [Unicode.Scalar], id: Int32)]

    /// Matches those of `WordPieceVocabulary.textSpecialTokens` that the vocabulary has.
    init(vocabulary: WordPieceVocabulary) {
        self.tokens = WordPieceVocabulary.textSpecialTokens.compactMap { token in
            vocabulary.id(of: token).map { (Array(token.unicodeScalars), Int32($0)) }
        }
    }

    /// The segments of `scalars`, in order; text segments are never empty.
    func segments(of scalars: [Unicode.Scalar]) -> [Segment] {
        var segments: [Segment] = []
        var textStart = 0
        var index = 0
        while index < scalars.count {
            var best: (length: Int, id: Int32)?
            for token in self.tokens where token.scalars.first == scalars[index] {
                let length = token.scalars.count
                guard length > (best?.length ?? 0), index + length <= scalars.count,
                    scalars[index..<(index + length)].elementsEqual(token.scalars)
                else { continue }
                best = (length, token.id)
            }
            if let best {
                if textStart < index { segments.append(.text(textStart..<index)) }
                segments.append(.special(best.id))
                index += best.length
                textStart = index
            } else {
                index += 1
            }
        }
        if textStart < scalars.count { segments.append(.text(textStart..<scalars.count)) }
        return segments
    }
}
