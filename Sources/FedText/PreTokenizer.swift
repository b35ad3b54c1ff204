/// BERT's pre-tokeniser (Hugging Face's `BertPreTokenizer`) on normalised scalars: split on
/// white space, which is dropped, then make every punctuation character a word of its own.
/// Symbols are not punctuation, so `done😀ok` stays one word.
enum PreTokenizer {
    /// Replaces `words` with the range of each word of `scalars`, in order.
    static func split(_ scalars: [Unicode.Scalar], into words: inout [Range<Int>]) {
        words.removeAll(keepingCapacity: true)
        var start = 0
        for (index, scalar) in scalars.enumerated() {
            if CharacterClasses.isWhitespace(scalar) {
                if start < index { words.append(start..<index) }
                start = index + 1
            } else if CharacterClasses.isPunctuation(scalar) {
                if start < index { words.append(start..<index) }
                words.append(index..<(index + 1))
                start = index + 1
            }
        }
        if start < scalars.count { words.append(start..<scalars.count) }
    }
}
