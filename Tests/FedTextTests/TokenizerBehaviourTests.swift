import FedText
import Testing

/// Rules from Tests/Fixtures/minilm/README.md checked one at a time, and the API around them.
@Suite struct TokenizerBehaviourTests {
    @Test(arguments: ["", " ", "\t\n\r ", "\u{00A0}\u{3000}\u{2028}", "\u{200B}\u{FEFF}\u{0000}", "\u{0301}"])
    func textWithoutWordsIsClsAndSep(text: String) throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        #expect(tokenizer.tokens(text) == ["[CLS]", "[SEP]"])
        #expect(tokenizer.encode(text) == [101, 102])
        #expect(tokenizer.wordPieces(text).isEmpty)
    }

    @Test func aWordOver100ScalarsIsOneUnknown() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        #expect(tokenizer.wordPieces(String(repeating: "x", count: 101)) == ["[UNK]"])
        #expect(tokenizer.wordPieces(String(repeating: "x", count: 100)).count == 50)
        // Counted after normalisation: e + U+0301 is one scalar once the accent is stripped.
        #expect(tokenizer.wordPieces(String(repeating: "e\u{301}", count: 100)).count > 1)
        let short = BertTokenizer(vocabulary: try TokenizerFixtures.vocabulary(), maxInputCharsPerWord: 3)
        #expect(short.wordPieces("cat house") == ["cat", "[UNK]"])
    }

    @Test func aWordWithAnUnmatchablePositionIsOneUnknown() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        #expect(tokenizer.wordPieces("a😀 pizza 🍕🍕") == ["[UNK]", "pizza", "[UNK]"])
        #expect(tokenizer.wordPieces("done😀ok") == ["[UNK]"])
    }

    @Test func specialTokensAreMatchedInRawTextCaseSensitively() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        #expect(tokenizer.wordPieces("hello[MASK]world") == ["hello", "[MASK]", "world"])
        #expect(tokenizer.wordPieces("[cls]") == ["[", "cl", "##s", "]"])
        #expect(tokenizer.encode("[SEP]") == [101, 102, 102])
    }

    @Test func casedModeKeepsCaseAndAccents() throws {
        let vocabulary = try WordPieceVocabulary(tokens: [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Café", "café", "cafe", "Noël", "noel", "ΣΟΦΙΑ", "σοφια",
        ])
        let cased = BertTokenizer(vocabulary: vocabulary, lowercase: false)
        let uncased = BertTokenizer(vocabulary: vocabulary, lowercase: true)
        #expect(cased.wordPieces("Café Noël ΣΟΦΙΑ") == ["Café", "Noël", "ΣΟΦΙΑ"])
        #expect(uncased.wordPieces("Café Noël ΣΟΦΙΑ") == ["cafe", "noel", "σοφια"])
        // Cleaning, CJK spacing and punctuation splitting still apply when cased.
        #expect(cased.wordPieces("Café,\u{200B}Noël") == ["Café", "[UNK]", "Noël"])
        let minilm = try TokenizerFixtures.tokenizer(lowercase: false)
        #expect(minilm.tokens("Hello") == ["[CLS]", "[UNK]", "[SEP]"], "the uncased vocabulary has no 'Hello'")
        #expect(minilm.tokens("hello") == ["[CLS]", "hello", "[SEP]"])
    }

    /// Swift's `String ==` treats é (U+00E9) and e + U+0301 as equal; the vocabulary, like
    /// Rust's, must not.
    @Test func vocabularyLookupComparesBytesNotCanonicalEquivalence() throws {
        let vocabulary = try WordPieceVocabulary(tokens: [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "\u{E9}", "e\u{301}", "##\u{E9}",
        ])
        #expect(vocabulary.id(of: "\u{E9}") == 4)
        #expect(vocabulary.id(of: "e\u{301}") == 5)
        let cased = BertTokenizer(vocabulary: vocabulary, lowercase: false)
        #expect(cased.encode("\u{E9} e\u{301}") == [2, 4, 5, 3])
        #expect(cased.encode("\u{E9}\u{E9}") == [2, 4, 6, 3])
        #expect(cased.encode("e\u{301}\u{E9}") == [2, 5, 6, 3])
    }

    @Test func batchesArePaddedOnTheRightWithMaskedPadding() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let batch = tokenizer.encodeBatch(["Hello!", "", "This is an example sentence"])
        #expect(batch.batchSize == 3)
        #expect(batch.length == 7)
        #expect(batch.lengths == [4, 2, 7])
        #expect(Array(batch.ids[0..<7]) == [101, 7592, 999, 102, 0, 0, 0])
        #expect(Array(batch.attentionMask[7..<14]) == [1, 1, 0, 0, 0, 0, 0])
        #expect(batch == TokenBatch(padding: ["Hello!", "", "This is an example sentence"].map(tokenizer.encode)))
        let empty = tokenizer.encodeBatch([])
        #expect(empty.batchSize == 0 && empty.length == 0 && empty.ids.isEmpty && empty.attentionMask.isEmpty)
    }

    @Test func pythonStripChangesNoToken() throws {
        // sentence-transformers strips the text first; what str.strip() removes is white space
        // or a control character, which the tokenizer drops anyway.
        let tokenizer = try TokenizerFixtures.tokenizer()
        let text = "Hello, world"
        let padded =
            "\u{1C}\u{1D}\u{1E}\u{1F}\u{85}\u{0B}\u{0C} \t\n\u{A0}\u{2000}\u{3000}" + text
            + "\u{202F}\u{205F}\u{1680}\u{1F} \r\n"
        #expect(tokenizer.encode(padded) == tokenizer.encode(text))
    }
}
