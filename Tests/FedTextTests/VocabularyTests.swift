import FedText
import Foundation
import Testing

/// Reading vocab.txt, and refusing files a BERT model cannot use with a message naming them.
@Suite struct VocabularyTests {
    /// A fresh folder under the temporary directory, removed by the caller.
    private func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtext-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func theModelVocabularyHasItsSpecialIds() throws {
        let vocabulary = try TokenizerFixtures.vocabulary()
        #expect(vocabulary.count == 30_522)
        #expect(vocabulary.paddingID == 0)
        #expect(vocabulary.unknownID == 100)
        #expect(vocabulary.classifierID == 101)
        #expect(vocabulary.separatorID == 102)
        #expect(vocabulary.id(of: "[MASK]") == 103)
        #expect(vocabulary.id(of: "hello") == 7592)
        #expect(vocabulary.token(of: 7592) == "hello")
        #expect(vocabulary.token(of: 30_522) == nil)
        #expect(vocabulary.token(of: -1) == nil)
        #expect(vocabulary.id(of: "no-such-token") == nil)
    }

    @Test func aVocabularyWithoutUnkIsRefusedNamingTheFileAndToken() throws {
        let folder = try self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("vocab.txt")
        try "[PAD]\n[CLS]\n[SEP]\nhello\n".write(to: file, atomically: true, encoding: .utf8)
        let error = try #require(throws: TextError.self) { try WordPieceVocabulary(contentsOf: file) }
        #expect(error == .vocabularyMissingSpecialTokens(source: file.path, tokens: ["[UNK]"]))
        #expect(error.description.contains(file.path))
        #expect(error.description.contains("[UNK]"))
    }

    @Test func everyMissingSpecialTokenIsNamed() throws {
        let error = try #require(throws: TextError.self) { try WordPieceVocabulary(tokens: ["[UNK]", "hello"]) }
        #expect(
            error
                == .vocabularyMissingSpecialTokens(source: "in-memory vocabulary", tokens: ["[CLS]", "[SEP]", "[PAD]"])
        )
        #expect(error.description.contains("in-memory vocabulary"))
        #expect(error.description.contains("[CLS], [SEP], [PAD]"))
        #expect(throws: TextError.self) { try WordPieceVocabulary(tokens: []) }
    }

    @Test func aMissingFileIsRefusedNamingThePath() throws {
        let folder = try self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("missing/vocab.txt")
        let error = try #require(throws: TextError.self) { try WordPieceVocabulary(contentsOf: file) }
        #expect(error == .vocabularyNotFound(path: file.path))
        #expect(error.description.contains(file.path))
        let folderError = try #require(throws: TextError.self) { try WordPieceVocabulary(contentsOf: folder) }
        #expect(folderError.description.contains(folder.path))
    }

    @Test func aLineThatIsNotUTF8IsRefusedWithItsLineNumber() throws {
        let folder = try self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("vocab.txt")
        var bytes = Array("[PAD]\n[UNK]\n".utf8)
        bytes += [0x66, 0xFF, 0x0A]
        bytes += Array("[CLS]\n[SEP]\n".utf8)
        try Data(bytes).write(to: file)
        let error = try #require(throws: TextError.self) { try WordPieceVocabulary(contentsOf: file) }
        #expect(error == .vocabularyNotUTF8(path: file.path, line: 3))
        #expect(error.description.contains("\(file.path):3"))
    }

    /// As Rust's reader: CRLF and trailing spaces trimmed, no token for the final newline,
    /// blank lines kept as ids, and the later of two equal lines wins the lookup.
    @Test func linesAreReadAsHuggingFaceReadsThem() throws {
        let folder = try self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("vocab.txt")
        try "[PAD]\r\n[UNK]\r\n[CLS] \n[SEP]\n\nhello\nhello\n##s\n".write(to: file, atomically: true, encoding: .utf8)
        let vocabulary = try WordPieceVocabulary(contentsOf: file)
        #expect(vocabulary.count == 8)
        #expect(
            vocabulary.paddingID == 0 && vocabulary.unknownID == 1 && vocabulary.classifierID == 2
                && vocabulary.separatorID == 3
        )
        #expect(vocabulary.token(of: 4) == "")
        #expect(vocabulary.id(of: "hello") == 6)
        #expect(vocabulary.token(of: 5) == "hello")
        let tokenizer = BertTokenizer(vocabulary: vocabulary)
        #expect(tokenizer.encode("hellos") == [2, 6, 7, 3])
    }
}
