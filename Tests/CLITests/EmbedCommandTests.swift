import FedFetch
import Foundation
import Testing

/// `fedtune embed` end to end on all-MiniLM-L6-v2 against the reference fixtures.
@Suite(.serialized) struct EmbedCommandTests {
    static let fixtures = Command.repository.appendingPathComponent("Tests/Fixtures/minilm")

    static func cases() throws -> [[String: Any]] {
        let data = try Data(contentsOf: self.fixtures.appendingPathComponent("sentences.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(object?["cases"] as? [[String: Any]])
    }

    static func model() throws -> String {
        try ArtifactCache(root: ArtifactCache.defaultRoot()).model(named: "all-MiniLM-L6-v2").path
    }

    /// Each text as one JSON string per line, as `--jsonl` reads them.
    static func jsonLines(_ texts: [String]) throws -> String {
        try texts.map {
            String(decoding: try JSONSerialization.data(withJSONObject: $0, options: .fragmentsAllowed), as: UTF8.self)
        }
        .joined(separator: "\n") + "\n"
    }

    @Test func embeddingsMatchTheReferenceLineForLine() throws {
        let cases = try Self.cases()
        let texts = cases.map { $0["text"] as! String }
        let output = try Command.fedtune("embed", "--model", Self.model(), "--jsonl", input: Self.jsonLines(texts))
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n")
        try #require(lines.count == cases.count)
        for (line, reference) in zip(lines, cases) {
            let values = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Double])
            let expected = reference["embedding"] as! [Double]
            let difference = zip(values, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(values.count == 384 && difference <= 1e-5, "\(reference["id"]!): max |diff| \(difference)")
        }
    }

    @Test func tokensMatchTheReferenceIds() throws {
        let cases = try Self.cases()
        let output = try Command.fedtune(
            "embed",
            "--model",
            Self.model(),
            "--jsonl",
            "--tokens",
            input: Self.jsonLines(cases.map { $0["text"] as! String })
        )
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n")
        try #require(lines.count == cases.count)
        for (line, reference) in zip(lines, cases) {
            let ids = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Int]
            #expect(ids == reference["input_ids"] as? [Int], "\(reference["id"]!)")
        }
    }

    @Test func plainLinesWorkAndABadJSONLineIsNamed() throws {
        let plain = try Command.fedtune("embed", "--model", Self.model(), "--tokens", input: "Hello!\n\n")
        #expect(plain.stdout == "[101,7592,999,102]\n[101,102]\n", "\(plain.stderr)")
        let bad = try Command.fedtune("embed", "--model", Self.model(), "--jsonl", input: "\"fine\"\nnot json\n")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("line 2"), "\(bad.stderr)")
    }
}
