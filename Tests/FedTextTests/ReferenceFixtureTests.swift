import FedText
import Testing

/// The tokenizer against Hugging Face's Rust `tokenizers` on all-MiniLM-L6-v2: every case of
/// sentences.json, tokenizer_edge_cases.json and batch_padding.json, exactly.
@Suite struct ReferenceFixtureTests {
    @Test func everyReferenceSentenceGivesTheSameTokensIdsAndMask() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let fixture = try TokenizerFixtures.decode(SentenceFixture.self, from: "sentences.json")
        #expect(fixture.cases.count == 13)
        for reference in fixture.cases {
            let ids = tokenizer.encode(reference.text)
            #expect(ids.map(Int.init) == reference.inputIDs, "\(reference.id): ids")
            #expect(tokenizer.tokens(reference.text) == reference.tokens, "\(reference.id): tokens")
            let batch = tokenizer.encodeBatch([reference.text])
            #expect(batch.attentionMask.map { Int($0) } == reference.attentionMask, "\(reference.id): attention mask")
            #expect(batch.lengths == [reference.inputIDs.count], "\(reference.id): length")
            let pieces = tokenizer.wordPieces(reference.text)
            #expect(
                pieces.count == reference.numWordpiecesBeforeTruncation,
                "\(reference.id): pieces before truncation"
            )
            #expect(reference.truncated == (pieces.count > 254), "\(reference.id): truncated")
        }
    }

    @Test func everyEdgeCaseGivesTheSameTokensAndIds() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let fixture = try TokenizerFixtures.decode(EdgeCaseFixture.self, from: "tokenizer_edge_cases.json")
        #expect(fixture.cases.count == 36)
        for reference in fixture.cases {
            let label = TokenizerFixtures.escaped(reference.text)
            #expect(tokenizer.tokens(reference.text) == reference.tokens, "\(label): tokens")
            #expect(tokenizer.encode(reference.text).map(Int.init) == reference.inputIDs, "\(label): ids")
        }
    }

    @Test func theReferenceBatchIsPaddedToItsLongestSentence() throws {
        let tokenizer = try TokenizerFixtures.tokenizer()
        let fixture = try TokenizerFixtures.decode(BatchFixture.self, from: "batch_padding.json")
        let batch = tokenizer.encodeBatch(fixture.texts)
        #expect(batch.batchSize == 8)
        #expect(batch.length == 210)
        #expect(batch.ids.map(Int.init) == fixture.inputIDs.flatMap { $0 })
        #expect(batch.attentionMask.map { Int($0) } == fixture.attentionMask.flatMap { $0 })
        #expect(batch.lengths == fixture.attentionMask.map { $0.reduce(0, +) })
        #expect(batch.lengths.first == 2, "the empty text is [CLS] [SEP]")
    }

    /// tokenizer_generated_cases.json: hand-picked and seeded random strings (controls,
    /// marks, scripts, special tokens, Unicode-version edges, long texts), uncased and cased.
    @Test(arguments: [true, false])
    func everyGeneratedCaseGivesTheSameIds(lowercase: Bool) throws {
        let tokenizer = try TokenizerFixtures.tokenizer(lowercase: lowercase)
        let fixture = try TokenizerFixtures.decode(GeneratedCaseFixture.self, from: "tokenizer_generated_cases.json")
        #expect(fixture.cases.count > 200)
        for reference in fixture.cases {
            let label = TokenizerFixtures.escaped(reference.text)
            let expected = lowercase ? reference.uncased : reference.cased
            #expect(tokenizer.encode(reference.text).map(Int.init) == expected, "\(label)")
            #expect(tokenizer.tokens(reference.text) == (try TokenizerFixtures.tokens(expected)), "\(label): tokens")
            let allPieces =
                (lowercase ? reference.uncasedAllPieces : reference.casedAllPieces)
                ?? Array(expected.dropFirst().dropLast())
            let pieces = tokenizer.wordPieces(reference.text)
            #expect(pieces == (try TokenizerFixtures.tokens(allPieces)), "\(label): untruncated pieces")
        }
    }
}
