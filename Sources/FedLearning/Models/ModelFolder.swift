import FedSupport
import FedTensor
import Foundation
import OrderedCollections

/// A classifier on disk: a folder with `model.json` (architecture and preprocessing)
/// and `model.safetensors` (the tensors, names as in `ParameterStore`).
package enum ModelFolder {
    package static let architectureFile = "model.json"
    package static let weightsFile = "model.safetensors"

    /// Writes the model. Each file is written atomically, weights first, so an
    /// interrupted save never leaves a description pointing at missing tensors.
    package static func save(_ model: Classifier, to folder: URL) throws {
        try self.write(tensors: model.parameters.values(), description: model.architecture, to: folder)
    }

    /// Writes `tensors` as model.safetensors and then `description` as model.json, each
    /// atomically: the layout every kind of model folder shares.
    package static func write(
        tensors: OrderedDictionary<String, Tensor>,
        description: some Encodable,
        to folder: URL
    ) throws {
        let weights = Safetensors(tensors: tensors, metadata: ["format": "pt", "producer": "fedtune"])
        try weights.write(to: folder.appendingPathComponent(self.weightsFile))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(description), to: folder.appendingPathComponent(self.architectureFile))
    }

    /// Reads and checks a model folder: the description must be valid, and the tensors
    /// must be exactly the ones it implies (all disagreements named at once).
    package static func load(_ folder: URL) throws -> Classifier {
        let architecture = try self.readArchitecture(folder)
        let weightsURL = folder.appendingPathComponent(self.weightsFile)
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw ModelError.missingFile(
                path: weightsURL.path,
                hint: "a model folder holds model.json and model.safetensors"
            )
        }
        let weights = try Safetensors.read(contentsOf: weightsURL)
        try TensorBudget.check(architecture.budget, against: weights.tensors.values, source: weightsURL.path)
        let model = Classifier(architecture: architecture, seed: 0)
        try model.parameters.load(weights.tensors, requireAll: true, source: weightsURL.path)
        return model
    }

    /// Reads and validates `model.json` alone. An architecture file written by hand for
    /// `train --arch` may leave out the preprocessing (`checkPreprocessing: false`): the
    /// data fills it in.
    package static func readArchitecture(
        _ folder: URL,
        fileName: String = architectureFile,
        checkPreprocessing: Bool = true
    ) throws -> ModelArchitecture {
        let url = folder.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelError.missingFile(
                path: url.path,
                hint: "point --model at a folder written by `fedtune train --out`"
            )
        }
        let architecture: ModelArchitecture
        do {
            architecture = try JSONDecoder().decode(ModelArchitecture.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw ModelError.invalidArchitecture(path: url.path, detail: "missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ModelError.invalidArchitecture(
                path: url.path,
                detail: "field '\(field)': \(context.debugDescription)"
            )
        } catch {
            throw ModelError.invalidArchitecture(path: url.path, detail: "not valid JSON (\(error))")
        }
        let problems = architecture.problems(checkPreprocessing: checkPreprocessing)
        guard problems.isEmpty else {
            throw ModelError.invalidArchitecture(path: url.path, detail: problems.joined(separator: "; "))
        }
        return architecture
    }
}
