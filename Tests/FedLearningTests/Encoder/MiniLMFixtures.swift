import FedTensor
import Foundation
import Testing

@testable import FedLearning

/// The shared MiniLM reference fixtures (Tests/Fixtures/minilm) and the real model folder.
enum MiniLMFixtures {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/minilm")

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: self.folder.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The reference cases of sentences.json by id.
    static func sentences() throws -> [String: [String: Any]] {
        let cases = try #require(try self.json("sentences.json")["cases"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: cases.map { ($0["id"] as! String, $0) })
    }

    static func floats(_ value: Any?) -> [Float] {
        (value as? [Any] ?? []).flatMap { element -> [Float] in
            if let number = element as? NSNumber { return [number.floatValue] }
            return self.floats(element)
        }
    }

    static func ids(_ value: Any?) -> [Int32] {
        (value as? [NSNumber] ?? []).map { Int32($0.intValue) }
    }

    /// all-MiniLM-L6-v2 as fetched into the cache (the test command fetches it first).
    static func modelFolder() throws -> URL {
        try MiniLMModel.folder()
    }
}
