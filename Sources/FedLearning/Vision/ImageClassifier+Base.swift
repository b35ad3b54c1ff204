import FedSupport
import FedTensor
import Foundation
import OrderedCollections

extension ImageClassifier {
    /// The tensors a model folder or checkpoint keeps of `tensors` (all of this model's):
    /// only the trained ones when the frozen rest is the named base's, else all.
    package func stored(_ tensors: OrderedDictionary<String, Tensor>) -> OrderedDictionary<String, Tensor> {
        guard self.architecture.storesTrainedOnly else { return tensors }
        let trained = Set(self.parameters.entries.filter(\.travels).map(\.name))
        return tensors.filter { trained.contains($0.key) }
    }

    /// A classifier rebuilt from what a folder or blob stored: when backbone tensors are
    /// missing and the architecture names a base, the base's fill them in; then every tensor
    /// must be there.
    package static func rebuild(
        architecture: ImageClassifierArchitecture,
        tensors: OrderedDictionary<String, Tensor>,
        source: String,
        bases: BaseModelLocator
    ) throws -> ImageClassifier {
        var all = tensors
        let holdsBackbone = architecture.backbone.tensorShapes.allSatisfy { tensors[$0.name] != nil }
        if let base = architecture.base, !holdsBackbone {
            all = try bases.pretrainedImage(base, for: source).tensors
            for (name, tensor) in tensors { all[name] = tensor }
        }
        var needed = architecture.backbone.budget
        needed.add(architecture.backbone.headChannels, architecture.classes)
        try TensorBudget.check(needed, against: all.values, source: source)
        let model = ImageClassifier(architecture: architecture, seed: 0)
        try model.load(all, requireAll: true, source: source)
        return model
    }
}

/// An image classifier on disk: `model.json` (the architecture) and `model.safetensors`. A
/// model on a named base in head or last-n mode keeps only the tensors it trains and reads
/// the frozen rest from the base, found by its SHA-256.
package enum ImageModelFolder {
    private static let layout = "an image model folder holds model.json and model.safetensors"

    /// Writes the model; weights first, the description last, each file atomically.
    package static func save(_ model: ImageClassifier, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try ModelFolder.write(
            tensors: model.stored(model.parameters.values()),
            description: model.architecture,
            to: folder
        )
    }

    /// Reads and checks a folder written by `save`.
    package static func load(_ folder: URL, bases: BaseModelLocator = .standard) throws -> ImageClassifier {
        let architectureURL = folder.appendingPathComponent(ModelFolder.architectureFile)
        guard let data = FileManager.default.contents(atPath: architectureURL.path) else {
            throw ModelError.missingFile(path: architectureURL.path, hint: self.layout)
        }
        let architecture = try ImageClassifierArchitecture.decode(data, source: architectureURL.path)
        let weightsURL = folder.appendingPathComponent(ModelFolder.weightsFile)
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw ModelError.missingFile(path: weightsURL.path, hint: self.layout)
        }
        return try ImageClassifier.rebuild(
            architecture: architecture,
            tensors: try Safetensors.read(contentsOf: weightsURL).tensors,
            source: weightsURL.path,
            bases: bases
        )
    }
}
