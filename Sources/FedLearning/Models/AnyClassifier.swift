import FedTensor
import FedText
import Foundation
import OrderedCollections

/// Any kind of model fedtune federates (tabular, text, image), for the code that only moves, stores and
/// checks tensors (coordinator, sites, checkpoints) and need not know which it is.
package enum AnyClassifier {
    case tabular(Classifier)
    case text(TextClassifier)
    case image(ImageClassifier)

    package var parameters: ParameterStore {
        switch self {
        case .tabular(let model): model.parameters
        case .text(let model): model.parameters
        case .image(let model): model.parameters
        }
    }

    package var classNames: [String] {
        switch self {
        case .tabular(let model): model.architecture.classNames
        case .text(let model): model.architecture.classNames
        case .image(let model): model.architecture.classNames
        }
    }

    /// The adapter scale α/r when this is a text model fine-tuned with LoRA under exact
    /// aggregation (`lora.exact`), which the federation core then applies; otherwise nil.
    package var loraExactScale: Float? {
        guard case .text(let model) = self else { return nil }
        let fineTuning = model.architecture.fineTuning
        return fineTuning.mode == .lora && fineTuning.lora.exact ? fineTuning.lora.scale : nil
    }

    package func load(_ tensors: OrderedDictionary<String, Tensor>, requireAll: Bool, source: String) throws {
        switch self {
        case .tabular(let model): try model.load(tensors, requireAll: requireAll, source: source)
        case .text(let model): try model.load(tensors, requireAll: requireAll, source: source)
        case .image(let model): try model.load(tensors, requireAll: requireAll, source: source)
        }
    }

    /// What describes this model in a blob; with a full set of tensors it makes the
    /// self-describing base model or checkpoint (`ModelPackage.encode(metadata:tensors:)`).
    package func packageMetadata() throws -> [String: String] {
        switch self {
        case .tabular(let model): try ModelPackage.metadata(architecture: model.architecture)
        case .text(let model): try ModelPackage.metadata(text: model)
        case .image(let model): try ModelPackage.metadata(image: model)
        }
    }

    /// What describes this model in a checkpoint (a text model on a named base leaves the
    /// vocabulary to the base).
    package func checkpointMetadata() throws -> [String: String] {
        switch self {
        case .tabular(let model): try ModelPackage.metadata(architecture: model.architecture)
        case .text(let model): try ModelPackage.checkpointMetadata(text: model)
        case .image(let model): try ModelPackage.metadata(image: model)
        }
    }

    /// The tensors a checkpoint or model folder keeps of `tensors` (all of this model's).
    package func stored(_ tensors: OrderedDictionary<String, Tensor>) -> OrderedDictionary<String, Tensor> {
        switch self {
        case .tabular: tensors
        case .text(let model): model.stored(tensors)
        case .image(let model): model.stored(tensors)
        }
    }

    /// Writes a model folder of the matching kind.
    package func save(to folder: URL) throws {
        switch self {
        case .tabular(let model):
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try ModelFolder.save(model, to: folder)
        case .text(let model):
            try TextModelFolder.save(model, to: folder)
        case .image(let model):
            try ImageModelFolder.save(model, to: folder)
        }
    }

    /// Reads a model folder of either kind, told apart by `model.json`'s format; `bases`
    /// finds the base of a text model that stores only what it trains.
    package static func load(_ folder: URL, bases: BaseModelLocator = .standard) throws -> AnyClassifier {
        let url = folder.appendingPathComponent(ModelFolder.architectureFile)
        if let data = FileManager.default.contents(atPath: url.path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        {
            switch object["format"] as? String {
            case TextClassifierArchitecture.formatName: return .text(try TextModelFolder.load(folder, bases: bases))
            case ImageClassifierArchitecture.formatName: return .image(try ImageModelFolder.load(folder, bases: bases))
            default: break
            }
        }
        return .tabular(try ModelFolder.load(folder))
    }
}
