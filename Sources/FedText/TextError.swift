/// Why a vocabulary could not be used. Every case names the file (or says the vocabulary
/// was built in memory) and the line or token at fault, so the message alone is enough to
/// fix the input.
package enum TextError: Error, Equatable, CustomStringConvertible {
    /// No file at `path`.
    case vocabularyNotFound(path: String)
    /// The file exists but could not be read (permissions, a folder, an I/O error).
    case vocabularyUnreadable(path: String, reason: String)
    /// Line `line` (1-based) of the file is not valid UTF-8.
    case vocabularyNotUTF8(path: String, line: Int)
    /// The vocabulary lacks special tokens BERT cannot work without.
    case vocabularyMissingSpecialTokens(source: String, tokens: [String])
    /// More tokens than an `Int32` id can number.
    case vocabularyTooLarge(source: String, count: Int)

    package var description: String {
        switch self {
        case .vocabularyNotFound(let path):
            return "\(path): no such vocabulary file (expected a BERT vocab.txt, one token per line)"
        case .vocabularyUnreadable(let path, let reason):
            return "\(path): cannot read the vocabulary: \(reason)"
        case .vocabularyNotUTF8(let path, let line):
            return "\(path):\(line): the vocabulary line is not valid UTF-8"
        case .vocabularyMissingSpecialTokens(let source, let tokens):
            let list = tokens.joined(separator: ", ")
            return "\(source): the vocabulary has no \(list) token\(tokens.count == 1 ? "" : "s"); "
                + "a BERT WordPiece vocabulary needs [UNK], [CLS], [SEP] and [PAD]"
        case .vocabularyTooLarge(let source, let count):
            return "\(source): \(count) tokens is more than an Int32 id can number"
        }
    }
}
