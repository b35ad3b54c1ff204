import FedTensor
import Foundation
import OrderedCollections

/// A whole classifier as one safetensors blob: every tensor, with `model.json` (the
/// architecture, frozen names and preprocessing) embedded in the `__metadata__`, so the
/// base model a coordinator sends is self-describing and one digest names it.
package enum ModelPackage {
    package static let architectureKey = "fedtune.architecture"

    /// The blob of `tensors` (all of a model's, in checkpoint order) with `architecture`.
    package static func encode(architecture: ModelArchitecture, tensors: OrderedDictionary<String, Tensor>) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(architecture), as: UTF8.self)
        return Safetensors(tensors: tensors, metadata: [self.architectureKey: json, "format": "pt"]).encoded()
    }

    /// A model rebuilt from a blob made by `encode`, checked like a model folder.
    package static func decode(_ data: Data, source: String) throws -> Classifier {
        let file = try Safetensors.decode(data, path: source)
        guard let json = file.metadata[self.architectureKey] else {
            throw ModelError.invalidArchitecture(path: source, detail: "no '\(self.architectureKey)' in the metadata")
        }
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
        let model = Classifier(architecture: architecture, seed: 0)
        try model.parameters.load(file.tensors, requireAll: true, source: source)
        return model
    }

    /// The blob of only the trainable tensors (what travels after the first round).
    package static func encodeTrainable(_ tensors: OrderedDictionary<String, Tensor>) -> Data {
        Safetensors(tensors: tensors).encoded()
    }
}
