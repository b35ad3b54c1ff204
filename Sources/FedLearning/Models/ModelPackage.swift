import FedTensor
import FedText
import Foundation
import OrderedCollections

/// A whole classifier as one safetensors blob: every tensor, with `model.json` (the
/// architecture, frozen names and preprocessing) embedded in the `__metadata__`, so the
/// base model a coordinator sends is self-describing and one digest names it.
package enum ModelPackage {
    package static let architectureKey = "fedtune.architecture"
    /// A text model's vocabulary, one token per line (the model cannot tokenise without it).
    package static let vocabularyKey = "fedtune.vocabulary"

    /// The blob of `tensors` (all of a model's, in checkpoint order) with `architecture`.
    package static func encode(
        architecture: ModelArchitecture,
        tensors: OrderedDictionary<String, Tensor>
    ) throws -> Data {
        self.encode(metadata: try self.metadata(architecture: architecture), tensors: tensors)
    }

    /// The blob of `tensors` with a description made by one of the `metadata` functions.
    package static func encode(metadata: [String: String], tensors: OrderedDictionary<String, Tensor>) -> Data {
        Safetensors(tensors: tensors, metadata: metadata).encoded()
    }

    /// What describes a tabular classifier in its blob.
    package static func metadata(architecture: ModelArchitecture) throws -> [String: String] {
        [self.architectureKey: try self.json(architecture), "format": "pt"]
    }

    /// What describes a text classifier in its blob: the architecture and the vocabulary.
    package static func metadata(text model: TextClassifier) throws -> [String: String] {
        [
            self.architectureKey: try self.json(model.architecture),
            self.vocabularyKey: model.vocabulary.tokens.joined(separator: "\n"), "format": "pt",
        ]
    }

    /// What describes an image classifier in its blob (or checkpoint): the architecture.
    package static func metadata(image model: ImageClassifier) throws -> [String: String] {
        [self.architectureKey: try self.json(model.architecture), "format": "pt"]
    }

    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// What describes a text classifier in a checkpoint: as `metadata(text:)`, without the
    /// vocabulary when the model stores only what it trains (its base holds the vocabulary).
    package static func checkpointMetadata(text model: TextClassifier) throws -> [String: String] {
        var metadata = try self.metadata(text: model)
        if model.architecture.storesTrainedOnly { metadata[self.vocabularyKey] = nil }
        return metadata
    }

    /// A model of either kind rebuilt from a blob made by `encode`, checked like a model
    /// folder; `bases` finds the base of a checkpoint that stores only what it trains.
    package static func decodeAny(
        _ data: Data,
        source: String,
        bases: BaseModelLocator = .standard
    ) throws -> AnyClassifier {
        let file = try Safetensors.decode(data, path: source)
        guard let json = file.metadata[self.architectureKey] else {
            throw ModelError.invalidArchitecture(path: source, detail: "no '\(self.architectureKey)' in the metadata")
        }
        if json.contains("\"\(ImageClassifierArchitecture.formatName)\"") {
            let architecture = try ImageClassifierArchitecture.decode(Data(json.utf8), source: source)
            return .image(
                try ImageClassifier.rebuild(architecture: architecture, tensors: file.tensors, source: source, bases: bases)
            )
        }
        guard json.contains("\"\(TextClassifierArchitecture.formatName)\"") else {
            return .tabular(try self.decodeTabular(file, json: json, source: source))
        }
        let architecture = try TextClassifierArchitecture.decode(Data(json.utf8), source: source)
        let tokens = file.metadata[self.vocabularyKey]
        guard tokens != nil || architecture.base != nil else {
            throw ModelError.invalidArchitecture(path: source, detail: "no '\(self.vocabularyKey)' in the metadata")
        }
        let vocabulary = try tokens.map { try WordPieceVocabulary(tokens: $0.components(separatedBy: "\n")) }
        return .text(
            try TextClassifier.rebuild(
                architecture: architecture,
                vocabulary: vocabulary,
                tensors: file.tensors,
                source: source,
                bases: bases
            )
        )
    }

    /// A tabular classifier rebuilt from a blob made by `encode`, checked like a model folder.
    package static func decode(_ data: Data, source: String) throws -> Classifier {
        let file = try Safetensors.decode(data, path: source)
        guard let json = file.metadata[self.architectureKey] else {
            throw ModelError.invalidArchitecture(path: source, detail: "no '\(self.architectureKey)' in the metadata")
        }
        return try self.decodeTabular(file, json: json, source: source)
    }

    private static func decodeTabular(_ file: Safetensors, json: String, source: String) throws -> Classifier {
        let architecture: ModelArchitecture
        do {
            architecture = try JSONDecoder().decode(ModelArchitecture.self, from: Data(json.utf8))
        } catch {
            throw ModelError.invalidArchitecture(path: source, detail: "\(error)")
        }
        let problems = architecture.problems()
        guard problems.isEmpty else {
            throw ModelError.invalidArchitecture(path: source, detail: problems.joined(separator: "; "))
        }
        try TensorBudget.check(architecture.budget, against: file.tensors.values, source: source)
        let model = Classifier(architecture: architecture, seed: 0)
        try model.parameters.load(file.tensors, requireAll: true, source: source)
        return model
    }

    /// The blob of only the trainable tensors (what travels after the first round).
    package static func encodeTrainable(_ tensors: OrderedDictionary<String, Tensor>) -> Data {
        Safetensors(tensors: tensors).encoded()
    }
}
