import FedImage
import FedSupport
import FedTensor
import FedTorch
import Foundation
import OrderedCollections

/// A pretrained EfficientNet-Lite backbone read from a PyTorch checkpoint (`.pth`, `.bin`),
/// a safetensors file, or a model folder holding `model.safetensors` (what `fedtune models
/// fetch efficientnet-lite0` makes). The architecture is read off the tensor names and
/// shapes; the ImageNet classifier (`_fc`) and the integer `num_batches_tracked` counters
/// are left out, since a classifier built on it gets a new head.
package struct PretrainedEfficientNet: Sendable {
    /// The folder or file it was read from.
    package var location: URL
    /// The file whose SHA-256 names it (model.safetensors in a folder, else the file itself).
    package var weightsFile: URL
    package var configuration: EfficientNetConfiguration
    /// The backbone's tensors in checkpoint order.
    package var tensors: OrderedDictionary<String, Tensor>
    package var sha256: String
    /// How its inputs were normalised in pretraining (TF EfficientNet-Lite: (x − 127)/128).
    package var normalization: ImageNormalization

    package static let weightsFileName = "model.safetensors"

    /// How a classifier built on this backbone names it.
    package var reference: BaseModelReference {
        let folder = self.location.hasDirectoryPath ? self.location : self.location.deletingLastPathComponent()
        return BaseModelReference(
            name: folder.standardizedFileURL.lastPathComponent,
            sha256: self.sha256,
            path: self.location.standardizedFileURL.path
        )
    }

    /// Reads and checks the backbone; every problem names the file and the tensor.
    package static func load(
        _ url: URL,
        normalization: ImageNormalization = .efficientNetLite,
        sha256 known: String? = nil
    ) throws -> PretrainedEfficientNet {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw ModelError.missingFile(
                path: url.path,
                hint: "give a PyTorch checkpoint (.pth, .bin), a .safetensors file, or a folder holding model.safetensors"
            )
        }
        let weights = isFolder.boolValue ? url.appendingPathComponent(self.weightsFileName) : url
        guard FileManager.default.fileExists(atPath: weights.path) else {
            throw ModelError.missingFile(path: weights.path, hint: "an image model folder holds model.safetensors")
        }
        let all: OrderedDictionary<String, Tensor>
        if TorchCheckpoint.isCheckpoint(weights) {
            all = try TorchCheckpoint.read(contentsOf: weights).tensors
        } else {
            all = try Safetensors.read(contentsOf: weights).tensors
        }
        let backboneTensors = all.filter { !$0.key.hasPrefix(ImageClassifierArchitecture.classifierPrefix) }
        let configuration = try EfficientNetConfiguration.infer(
            shapes: Dictionary(uniqueKeysWithValues: backboneTensors.map { ($0.key, $0.value.shape) }),
            source: weights.path
        )
        var mismatch = TensorMismatch(source: weights.path)
        var ordered: OrderedDictionary<String, Tensor> = [:]
        for (name, shape) in configuration.tensorShapes {
            guard let tensor = backboneTensors[name] else {
                mismatch.missing.append(name)
                continue
            }
            if tensor.shape != shape {
                mismatch.misshapen.append(.init(name: name, expected: shape, found: tensor.shape))
            }
            ordered[name] = tensor
        }
        mismatch.unexpected = backboneTensors.keys.filter { ordered[$0] == nil && !$0.hasSuffix("num_batches_tracked") }
        if !mismatch.isEmpty { throw ModelError.tensorsDisagree(mismatch) }
        return PretrainedEfficientNet(
            location: url,
            weightsFile: weights,
            configuration: configuration,
            tensors: ordered,
            sha256: try known ?? BaseModelLocator.sha256(ofFile: weights),
            normalization: normalization
        )
    }
}
