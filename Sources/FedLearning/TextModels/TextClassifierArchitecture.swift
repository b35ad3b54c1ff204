import FedSupport
import FedTensor
import Foundation

/// What `model.json` says about a text classifier: the BERT encoder's configuration, the
/// tokenizer settings, the classes, the head's dropout and the fine-tuning mode. Together
/// with the vocabulary and the tensors it rebuilds the model exactly.
package struct TextClassifierArchitecture: Sendable, Codable, Equatable, ModelDescription {
    package var format = TextClassifierArchitecture.formatName
    package var version = 1
    package var encoder: BertConfiguration
    /// Longest input in ids, [CLS] and [SEP] included.
    package var maxLength: Int
    package var lowercase: Bool
    package var classNames: [String]
    /// Dropout on the pooled embedding before the head, while training.
    package var dropout: Float
    package var fineTuning: FineTuning
    /// The pretrained encoder it was built on; absent in a model that stores every tensor
    /// and names no base (e.g. one made before bases were named).
    package var base: BaseModelReference?

    package static let formatName = "fedtune.text-classifier"

    package init(
        encoder: BertConfiguration,
        maxLength: Int,
        lowercase: Bool,
        classNames: [String],
        dropout: Float = 0.1,
        fineTuning: FineTuning,
        base: BaseModelReference? = nil
    ) {
        self.encoder = encoder
        self.maxLength = maxLength
        self.lowercase = lowercase
        self.classNames = classNames
        self.dropout = dropout
        self.fineTuning = fineTuning
        self.base = base
    }

    package var classes: Int { self.classNames.count }

    /// Whether folders and checkpoints keep only the trained tensors, the frozen rest being
    /// the named base's (every mode but `full`, which changes every tensor).
    package var storesTrainedOnly: Bool { self.base != nil && self.fineTuning.mode != .full }

    /// Problems with the description, each naming the field.
    package var problems: [String] {
        var problems = self.encoder.problems.map { "encoder: \($0)" }
        if self.format != Self.formatName {
            problems.append("format is '\(self.format)', expected '\(Self.formatName)'")
        }
        if self.version != 1 { problems.append("version \(self.version) is not supported (this fedtune reads 1)") }
        if self.classNames.count < 2 { problems.append("classNames must name at least 2 classes") }
        if self.maxLength < 2 || self.maxLength > self.encoder.maxPositions {
            problems.append("maxLength must be in 2...\(self.encoder.maxPositions)")
        }
        if !(0..<1).contains(self.dropout) { problems.append("dropout must be in [0, 1)") }
        problems += self.fineTuning.problems(layerCount: self.encoder.layerCount)
        if self.fineTuning.mode == .lora, self.fineTuning.lora.rank > self.encoder.hiddenSize {
            problems.append(
                "fineTuning.lora.rank must be at most the hidden size \(self.encoder.hiddenSize), found \(self.fineTuning.lora.rank)"
            )
        }
        if self.classNames.count > 100_000 { problems.append("classNames names more than 100000 classes") }
        // Only once the encoder's own sizes are sane (then h and the feed-forward width are small).
        if self.encoder.problems.isEmpty {
            var budget = self.encoder.budget
            budget.add(self.encoder.hiddenSize, self.classNames.count)
            budget.add(self.classNames.count)
            if self.fineTuning.mode == .lora {
                // At most rank × (in + out) per adapted projection; in and out are h or the feed-forward width.
                let projection = self.encoder.hiddenSize + self.encoder.intermediateSize
                let lora = self.fineTuning.lora
                budget.add(lora.rank, projection, self.encoder.layerCount, count: lora.targets.count)
            }
            if let problem = budget.problem("this classifier") { problems.append(problem) }
        }
        if let base = self.base, base.sha256.count != 64 || !base.sha256.allSatisfy(\.isHexDigit) {
            problems.append("base.sha256 must be 64 hex digits, found '\(base.sha256)'")
        }
        return problems
    }
}
