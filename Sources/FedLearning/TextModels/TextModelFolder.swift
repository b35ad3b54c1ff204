import FedSupport
import FedTensor
import FedText
import Foundation

/// A text classifier on disk: `model.json` (the architecture), `model.safetensors` (every
/// tensor, adapters included) and `vocab.txt` (the tokenizer's vocabulary).
package enum TextModelFolder {
    package static let vocabularyFile = "vocab.txt"

    /// Writes the model; weights first, the description last, each file atomically.
    package static func save(_ model: TextClassifier, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let weights = Safetensors(
            tensors: model.parameters.values(),
            metadata: ["format": "pt", "producer": "fedtune"]
        )
        try weights.write(to: folder.appendingPathComponent(ModelFolder.weightsFile))
        try AtomicFile.write(
            Data(model.vocabulary.tokens.joined(separator: "\n").utf8 + [0x0A]),
            to: folder.appendingPathComponent(self.vocabularyFile)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(
            try encoder.encode(model.architecture),
            to: folder.appendingPathComponent(ModelFolder.architectureFile)
        )
    }

    /// Reads and checks a folder written by `save`.
    package static func load(_ folder: URL) throws -> TextClassifier {
        let architectureURL = folder.appendingPathComponent(ModelFolder.architectureFile)
        guard let data = FileManager.default.contents(atPath: architectureURL.path) else {
            throw ModelError.missingFile(
                path: architectureURL.path,
                hint: "a text model folder holds model.json, model.safetensors and vocab.txt"
            )
        }
        let architecture = try TextClassifierArchitecture.decode(data, source: architectureURL.path)
        let vocabulary = try WordPieceVocabulary(contentsOf: folder.appendingPathComponent(self.vocabularyFile))
        let weightsURL = folder.appendingPathComponent(ModelFolder.weightsFile)
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw ModelError.missingFile(
                path: weightsURL.path,
                hint: "a text model folder holds model.json, model.safetensors and vocab.txt"
            )
        }
        let model = TextClassifier(architecture: architecture, vocabulary: vocabulary, seed: 0)
        try model.load(try Safetensors.read(contentsOf: weightsURL).tensors, requireAll: true, source: weightsURL.path)
        return model
    }
}
