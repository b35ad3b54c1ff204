import FedText
import Foundation
import Testing

/// Loads the all-MiniLM-L6-v2 reference files in Tests/Fixtures/minilm (see its README.md)
/// and the vocabulary and tokenisers built from them, once per test process.
enum TokenizerFixtures {
    /// Tests/Fixtures/minilm, found from this source file.
    static func folder(from file: String = #filePath) throws -> URL {
        var url = URL(fileURLWithPath: file).deletingLastPathComponent()
        while url.path != "/" {
            if url.lastPathComponent == "Tests" {
                return url.appendingPathComponent("Fixtures/minilm", isDirectory: true)
            }
            url.deleteLastPathComponent()
        }
        throw FixtureMissing(detail: "no Tests folder above \(file)")
    }

    static func url(_ name: String) throws -> URL {
        try Self.folder().appendingPathComponent(name)
    }

    static func decode<T: Decodable>(_ type: T.Type, from name: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: Self.url(name)))
    }

    private static let sharedVocabulary: Result<WordPieceVocabulary, any Error> = Result {
        try WordPieceVocabulary(contentsOf: Self.url("vocab.txt"))
    }

    /// The model's 30,522-token uncased vocabulary.
    static func vocabulary() throws -> WordPieceVocabulary {
        try Self.sharedVocabulary.get()
    }

    /// The tokenizer as all-MiniLM-L6-v2 uses it (256 ids, lowercase), or its cased twin.
    static func tokenizer(lowercase: Bool = true) throws -> BertTokenizer {
        BertTokenizer(vocabulary: try Self.vocabulary(), maxLength: 256, lowercase: lowercase)
    }

    /// Tokens for ids, read from the vocabulary ("token i is line i of vocab.txt").
    static func tokens(_ ids: [Int]) throws -> [String] {
        let vocabulary = try Self.vocabulary()
        return ids.map { vocabulary.token(of: $0) ?? "<no token \($0)>" }
    }

    /// A readable form of a fixture string for failure messages: non-ASCII as \u{…}.
    static func escaped(_ text: String) -> String {
        let body = text.unicodeScalars.prefix(120).map { scalar in
            scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7F
                ? String(scalar) : "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        }.joined()
        return text.unicodeScalars.count > 120 ? body + "…" : body
    }
}

struct FixtureMissing: Error, CustomStringConvertible {
    let detail: String
    var description: String { self.detail }
}

/// sentences.json: the reference sentences, each encoded alone.
struct SentenceFixture: Decodable {
    struct Case: Decodable {
        let id: String
        let text: String
        let tokens: [String]
        let inputIDs: [Int]
        let attentionMask: [Int]
        let numWordpiecesBeforeTruncation: Int
        let truncated: Bool

        enum CodingKeys: String, CodingKey {
            case id, text, tokens, truncated
            case inputIDs = "input_ids"
            case attentionMask = "attention_mask"
            case numWordpiecesBeforeTruncation = "num_wordpieces_before_truncation"
        }
    }

    let cases: [Case]
}

/// tokenizer_edge_cases.json: strings with the expected tokens and ids.
struct EdgeCaseFixture: Decodable {
    struct Case: Decodable {
        let text: String
        let tokens: [String]
        let inputIDs: [Int]

        enum CodingKeys: String, CodingKey {
            case text, tokens
            case inputIDs = "input_ids"
        }
    }

    let cases: [Case]
}

/// batch_padding.json: eight sentences tokenised together, right-padded to 210.
struct BatchFixture: Decodable {
    let ids: [String]
    let texts: [String]
    let inputIDs: [[Int]]
    let attentionMask: [[Int]]

    enum CodingKeys: String, CodingKey {
        case ids, texts
        case inputIDs = "input_ids"
        case attentionMask = "attention_mask"
    }
}

/// tokenizer_generated_cases.json (scripts/fixtures/make_tokenizer_cases.py): each string
/// encoded uncased and cased; `*AllPieces` when truncation cut pieces.
struct GeneratedCaseFixture: Decodable {
    struct Case: Decodable {
        let text: String
        let uncased: [Int]
        let cased: [Int]
        let uncasedAllPieces: [Int]?
        let casedAllPieces: [Int]?

        enum CodingKeys: String, CodingKey {
            case text, uncased, cased
            case uncasedAllPieces = "uncased_all_pieces"
            case casedAllPieces = "cased_all_pieces"
        }
    }

    let cases: [Case]
}
