import FedImage
import FedSupport
import Foundation

/// What `model.json` says about an image classifier: the CNN backbone's shape, the input
/// size and normalisation, the classes, the classifier's dropout, the fine-tuning mode and
/// the augmentation applied to training batches. With the tensors it rebuilds the model.
package struct ImageClassifierArchitecture: Sendable, Codable, Equatable, ModelDescription {
    package var format = ImageClassifierArchitecture.formatName
    package var version = 1
    package var backbone: EfficientNetConfiguration
    /// Images are resized to `inputSize` × `inputSize` before the network sees them.
    package var inputSize: Int
    package var normalization: ImageNormalization
    package var classNames: [String]
    /// Dropout on the pooled features before the classifier, while training.
    package var dropout: Float
    package var fineTuning: ImageFineTuning
    package var augmentation: AugmentationSettings
    /// The pretrained network it was built on; folders and checkpoints of a model on a
    /// named base keep only the tensors it trains.
    package var base: BaseModelReference?

    package static let formatName = "fedtune.image-classifier"
    /// Prefix of the classifier's tensors (`_fc.weight`, `_fc.bias`, as the checkpoint names
    /// its ImageNet classifier, which a new one with the task's classes replaces).
    package static let classifierPrefix = "_fc."

    package init(
        backbone: EfficientNetConfiguration,
        inputSize: Int,
        normalization: ImageNormalization,
        classNames: [String],
        dropout: Float = 0.2,
        fineTuning: ImageFineTuning,
        augmentation: AugmentationSettings = AugmentationSettings(),
        base: BaseModelReference? = nil
    ) {
        self.backbone = backbone
        self.inputSize = inputSize
        self.normalization = normalization
        self.classNames = classNames
        self.dropout = dropout
        self.fineTuning = fineTuning
        self.augmentation = augmentation
        self.base = base
    }

    package var classes: Int { self.classNames.count }

    /// Whether folders and checkpoints keep only the trained tensors (every mode but `full`).
    package var storesTrainedOnly: Bool { self.base != nil && self.fineTuning.mode != .full }

    /// Problems with the description, each naming the field.
    package var problems: [String] {
        var problems = self.backbone.problems.map { "backbone: \($0)" }
        if self.format != Self.formatName {
            problems.append("format is '\(self.format)', expected '\(Self.formatName)'")
        }
        if self.version != 1 { problems.append("version \(self.version) is not supported (this fedtune reads 1)") }
        if !(16...1024).contains(self.inputSize) { problems.append("inputSize must be in 16...1024, found \(self.inputSize)") }
        if self.classNames.count < 2 { problems.append("classNames must name at least 2 classes") }
        if self.classNames.count > 100_000 { problems.append("classNames names more than 100000 classes") }
        if !(0..<1).contains(self.dropout) { problems.append("dropout must be in [0, 1)") }
        problems += self.fineTuning.problems(blockCount: self.backbone.blocks.count)
        problems += self.augmentation.problems.map { "augmentation: \($0)" }
        problems += self.normalization.problems.map { "normalization: \($0)" }
        if self.backbone.problems.isEmpty {
            var budget = self.backbone.budget
            budget.add(self.backbone.headChannels, self.classNames.count)
            budget.add(self.classNames.count)
            if let problem = budget.problem("this classifier") { problems.append(problem) }
        }
        if let base = self.base, base.sha256.count != 64 || !base.sha256.allSatisfy(\.isHexDigit) {
            problems.append("base.sha256 must be 64 hex digits, found '\(base.sha256)'")
        }
        return problems
    }
}
