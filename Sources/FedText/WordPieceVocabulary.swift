import Foundation

/// A WordPiece vocabulary read from vocab.txt: one token per line, the line index is the id.
///
/// Read as Hugging Face's Rust `tokenizers` reads it: lines end at `\n`, trailing white space
/// (including a `\r`) is trimmed, and when a token appears twice the later line's id wins for
/// lookups while `token(of:)` still returns each line's text.
package struct WordPieceVocabulary: Sendable {
    /// The special tokens BERT cannot run without, in the order errors list them.
    package static let requiredSpecialTokens = ["[UNK]", "[CLS]", "[SEP]", "[PAD]"]
    /// Special tokens Hugging Face matches verbatim in raw text when the vocabulary has them.
    package static let textSpecialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    /// Every token by id (line order of vocab.txt), e.g. to write the vocabulary back out.
    package let tokens: [String]
    /// Every token, for a word's first piece.
    private let initialPieces: TokenTable
    /// Tokens that start with `##`, keyed without the prefix, for the pieces after the first.
    private let continuationPieces: TokenTable

    package let unknownID: Int
    package let classifierID: Int
    package let separatorID: Int
    package let paddingID: Int

    /// Reads vocab.txt at `url`; errors name the file and, where it applies, the line.
    package init(contentsOf url: URL) throws {
        let path = url.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw TextError.vocabularyNotFound(path: path)
        }
        if isFolder.boolValue {
            throw TextError.vocabularyUnreadable(path: path, reason: "it is a folder, not a file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TextError.vocabularyUnreadable(path: path, reason: "\(error)")
        }
        try self.init(tokens: Self.lines(of: data, path: path), source: path)
    }

    /// A vocabulary from tokens in id order, checked like a file ("in-memory vocabulary").
    package init(tokens: [String]) throws {
        try self.init(tokens: tokens, source: "in-memory vocabulary")
    }

    private init(tokens: [String], source: String) throws {
        guard tokens.count <= Int(Int32.max) else {
            throw TextError.vocabularyTooLarge(source: source, count: tokens.count)
        }
        var initial = TokenTable(capacity: tokens.count)
        var continuation = TokenTable(capacity: tokens.count / 4)
        for (id, token) in tokens.enumerated() {
            var bytes = token
            bytes.withUTF8 { utf8 in
                initial.insert(utf8, value: Int32(id))
                if utf8.count >= 2 && utf8[0] == UInt8(ascii: "#") && utf8[1] == UInt8(ascii: "#") {
                    continuation.insert(UnsafeBufferPointer(rebasing: utf8[2...]), value: Int32(id))
                }
            }
        }
        self.tokens = tokens
        self.initialPieces = initial
        self.continuationPieces = continuation
        func lookup(_ token: String) -> Int? {
            var token = token
            return token.withUTF8 { initial.value(for: $0) }.map(Int.init)
        }
        let missing = Self.requiredSpecialTokens.filter { lookup($0) == nil }
        guard missing.isEmpty,
            let unknown = lookup("[UNK]"), let classifier = lookup("[CLS]"),
            let separator = lookup("[SEP]"), let padding = lookup("[PAD]")
        else {
            throw TextError.vocabularyMissingSpecialTokens(source: source, tokens: missing)
        }
        self.unknownID = unknown
        self.classifierID = classifier
        self.separatorID = separator
        self.paddingID = padding
    }

    /// Number of lines, which is the size the model's embedding table must have.
    package var count: Int { self.tokens.count }

    package func id(of token: String) -> Int? {
        var token = token
        return token.withUTF8 { self.initialPieces.value(for: $0) }.map(Int.init)
    }

    package func token(of id: Int) -> String? {
        self.tokens.indices.contains(id) ? self.tokens[id] : nil
    }

    /// Id of a word's first piece spelled by exactly these UTF-8 bytes.
    func initialPieceID(_ utf8: UnsafeBufferPointer<UInt8>) -> Int32? {
        self.initialPieces.value(for: utf8)
    }

    /// Id of `##` followed by exactly these UTF-8 bytes.
    func continuationPieceID(_ utf8: UnsafeBufferPointer<UInt8>) -> Int32? {
        self.continuationPieces.value(for: utf8)
    }

    /// Splits the file into trimmed lines, reporting the first line that is not UTF-8.
    private static func lines(of data: Data, path: String) throws -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(data.count / 6)
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
                guard let text = String(validating: line, as: UTF8.self) else {
                    throw TextError.vocabularyNotUTF8(path: path, line: lines.count + 1)
                }
                lines.append(Self.trimmingTrailingWhitespace(text))
                start = end + 1
            }
        }
        return lines
    }

    /// Rust's `str::trim_end`: drops trailing Unicode White_Space (so `\r` of CRLF files too).
    private static func trimmingTrailingWhitespace(_ text: String) -> String {
        guard let last = text.unicodeScalars.last, last.properties.isWhitespace else { return text }
        var scalars = text.unicodeScalars[...]
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
