import FedSupport
import FedTensor
import FedText
import Foundation

/// A text classifier on disk: `model.json` (the architecture) and `model.safetensors`.
/// A model on a named base in head, last-n or LoRA mode keeps only the tensors it trains
/// (a LoRA fine-tune of MiniLM: 0.3 MB, not 90 MB) and reads the frozen rest and the
/// vocabulary from the base, found by its SHA-256. Any other model keeps every tensor and
/// its vocabulary in `vocab.txt`.
package enum TextModelFolder {
    package static let vocabularyFile = "vocab.txt"
    private static let layout =
        "a text model folder holds model.json and model.safetensors (and vocab.txt when it names no base)"

    /// Writes the model; weights first, the description last, each file atomically.
    package static func save(_ model: TextClassifier, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let vocabularyURL = folder.appendingPathComponent(self.vocabularyFile)
        if model.architecture.storesTrainedOnly {
            // The base's vocabulary is the model's; a stale copy would only mislead.
            try? FileManager.default.removeItem(at: vocabularyURL)
        } else {
            try AtomicFile.write(
                Data(model.vocabulary.tokens.joined(separator: "\n").utf8 + [0x0A]),
                to: vocabularyURL
            )
        }
        try ModelFolder.write(
            tensors: model.stored(model.parameters.values()),
            description: model.architecture,
            to: folder
        )
    }

    /// Reads and checks a folder written by `save`; `bases` finds the base of a folder that
    /// stores only what it trains.
    package static func load(_ folder: URL, bases: BaseModelLocator = .standard) throws -> TextClassifier {
        let architectureURL = folder.appendingPathComponent(ModelFolder.architectureFile)
        guard let data = FileManager.default.contents(atPath: architectureURL.path) else {
            throw ModelError.missingFile(path: architectureURL.path, hint: self.layout)
        }
        let architecture = try TextClassifierArchitecture.decode(data, source: architectureURL.path)
        let vocabularyURL = folder.appendingPathComponent(self.vocabularyFile)
        let vocabulary: WordPieceVocabulary?
        if FileManager.default.fileExists(atPath: vocabularyURL.path) {
            vocabulary = try WordPieceVocabulary(contentsOf: vocabularyURL)
        } else if architecture.base != nil {
            vocabulary = nil
        } else {
            throw ModelError.missingFile(path: vocabularyURL.path, hint: self.layout)
        }
        let weightsURL = folder.appendingPathComponent(ModelFolder.weightsFile)
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw ModelError.missingFile(path: weightsURL.path, hint: self.layout)
        }
        return try TextClassifier.rebuild(
            architecture: architecture,
            vocabulary: vocabulary,
            tensors: try Safetensors.read(contentsOf: weightsURL).tensors,
            source: weightsURL.path,
            bases: bases
        )
    }
}
