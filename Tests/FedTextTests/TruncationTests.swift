import FedText
import Testing

/// `[CLS]` + the first `maxLength − 2` pieces + `[SEP]`: 256 ids for all-MiniLM-L6-v2, not
/// the 128 that tokenizer.json bakes in.
@Suite struct TruncationTests {
    @Test func theMediumReferenceSentenceIsNotCutAt128() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let fixture = try TokenizerFixtures.decode(SentenceFixture.self, from: "sentences.json")
        let medium = try #require(fixture.cases.first { $0.id == "medium_150_to_254_pieces" })
        #expect(tokenizer.encode(medium.text).count == 210)
        #expect(medium.inputIDs.count == 210)
    }

    @Test func aLongTextKeepsItsFirst254PiecesBetweenClsAndSep() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let vocabulary = try TokenizerFixtures.vocabulary()
        let sentence = "Tokenizers split unbelievable words into pieces, don't they? "
        let text = String(repeating: sentence, count: 40)
        let pieces = tokenizer.wordPieces(text)
        #expect(pieces.count > 400)
        let ids = tokenizer.encode(text)
        #expect(ids.count == 256)
        #expect(ids.first == Int32(vocabulary.classifierID))
        #expect(ids.last == Int32(vocabulary.separatorID))
        let tokens = tokenizer.tokens(text)
        #expect(Array(tokens[1..<255]) == Array(pieces.prefix(254)))
        #expect(tokens.last == "[SEP]")
    }

    @Test func aWordCutByTheLimitKeepsOnlyItsFirstPieces() throws {
        let tokenizer = BertTokenizer(vocabulary: try TokenizerFixtures.vocabulary(), maxLength: 4)
        #expect(tokenizer.tokens("unaffable") == ["[CLS]", "una", "##ffa", "[SEP]"])
        #expect(tokenizer.wordPieces("unaffable") == ["una", "##ffa", "##ble"])
        #expect(tokenizer.tokens("a unaffable") == ["[CLS]", "a", "una", "[SEP]"])
        // A word that fails at its end is one [UNK], even when the limit falls inside it.
        #expect(tokenizer.tokens("a aaaa😀") == ["[CLS]", "a", "[UNK]", "[SEP]"])
    }

    @Test func twoIdsLeaveRoomOnlyForClsAndSep() throws {
        let tokenizer = BertTokenizer(vocabulary: try TokenizerFixtures.vocabulary(), maxLength: 2)
        #expect(tokenizer.tokens("hello world [MASK]") == ["[CLS]", "[SEP]"])
    }

    @Test func textPastTheLimitIsNotNeededToEncode() throws {
        // A long document: the result is the same whatever follows the 254th piece.
        let tokenizer = try TokenizerFixtures.tokenizer()
        let head = String(repeating: "word ", count: 300)
        #expect(tokenizer.encode(head) == tokenizer.encode(head + String(repeating: "Ωmega😀 ", count: 100_000)))
    }
}
