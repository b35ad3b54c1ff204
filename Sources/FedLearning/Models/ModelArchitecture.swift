import FedData
import Foundation

/// What `model.json` beside `model.safetensors` says about a classifier: its shape,
/// which tensors are frozen, and the preprocessing that must be repeated on every input
/// (feature order, class names, standardisation statistics).
///
/// A logistic regression is the case with no hidden layers.
package struct ModelArchitecture: Sendable, Codable, Equatable {
    /// Identifies the file; checked on load.
    package var format = ModelArchitecture.formatName
    package var version = 1
    package var inputs: Int
    /// Widths of the hidden layers, first to last; empty for logistic regression.
    package var hidden: [Int]
    package var classes: Int
    package var activation: ActivationKind = .relu
    /// Dropout after each hidden activation while training.
    package var dropout: Float = 0
    /// Names of tensors that training leaves unchanged.
    package var frozen: [String] = []
    package var featureNames: [String]
    package var classNames: [String]
    package var standardizer: Standardizer
    /// A two-class model's decision threshold on the probability of class 1 (called
    /// positive when it is ≥ the threshold), chosen on validation data; nil decides by argmax.
    package var decisionThreshold: Double?

    package static let formatName = "fedtune.classifier"

    package init(
        inputs: Int,
        hidden: [Int],
        classes: Int,
        activation: ActivationKind = .relu,
        dropout: Float = 0,
        featureNames: [String]? = nil,
        classNames: [String]? = nil,
        standardizer: Standardizer? = nil
    ) {
        self.inputs = inputs
        self.hidden = hidden
        self.classes = classes
        self.activation = activation
        self.dropout = dropout
        self.featureNames = featureNames ?? (0..<inputs).map { "x\($0)" }
        self.classNames = classNames ?? (0..<classes).map { String($0) }
        self.standardizer = standardizer ?? .identity(featureCount: inputs)
    }

    /// Layer widths from input to output, e.g. [64, 256, 256, 10].
    package var widths: [Int] { [self.inputs] + self.hidden + [self.classes] }

    /// The name prefix of linear layer `index` (the last one is the head).
    package func layerName(_ index: Int) -> String {
        index == self.hidden.count ? "head" : "hidden.\(index)"
    }

    /// Every tensor the architecture has, with its shape, in checkpoint order.
    package var tensorShapes: [(name: String, shape: [Int])] {
        let widths = self.widths
        var shapes: [(name: String, shape: [Int])] = []
        for i in 0..<(widths.count - 1) {
            let name = self.layerName(i)
            shapes.append((name: "\(name).weight", shape: [widths[i + 1], widths[i]]))
            shapes.append((name: "\(name).bias", shape: [widths[i + 1]]))
        }
        return shapes
    }

    /// The model's weights counted from the widths alone, overflow-checked.
    package var budget: TensorBudget {
        var budget = TensorBudget()
        let widths = self.widths
        for index in 0..<(widths.count - 1) {
            budget.add(widths[index], widths[index + 1])
            budget.add(widths[index + 1])
        }
        return budget
    }

    /// Problems with the description itself, each as a sentence naming the field.
    package func problems(checkPreprocessing: Bool = true) -> [String] {
        var problems: [String] = []
        if self.format != Self.formatName {
            problems.append("format is '\(self.format)', expected '\(Self.formatName)'")
        }
        if self.version != 1 { problems.append("version \(self.version) is not supported (this fedtune reads 1)") }
        if self.inputs < 1 { problems.append("inputs must be at least 1") }
        if self.classes < 2 { problems.append("classes must be at least 2") }
        if self.hidden.contains(where: { $0 < 1 }) { problems.append("hidden widths must be at least 1") }
        if let problem = self.budget.problem("this model") {
            // The tensors cannot even be listed; nothing else is worth checking.
            return problems + [problem]
        }
        if !(0..<1).contains(self.dropout) { problems.append("dropout must be in [0, 1)") }
        if let threshold = self.decisionThreshold {
            if self.classes != 2 {
                problems.append(
                    "decisionThreshold is set, but only a model of 2 classes has one (this has \(self.classes))"
                )
            } else if !(threshold.isFinite && (0...1).contains(threshold)) {
                problems.append("decisionThreshold must be a probability in 0...1, found \(threshold)")
            }
        }
        if checkPreprocessing { problems += self.preprocessingProblems() }
        let names = Set(self.tensorShapes.map(\.name))
        for name in self.frozen where !names.contains(name) { problems.append("frozen names unknown tensor '\(name)'") }
        return problems
    }

    private func preprocessingProblems() -> [String] {
        var problems: [String] = []
        if self.featureNames.count != self.inputs {
            problems.append("featureNames has \(self.featureNames.count) names for \(self.inputs) inputs")
        }
        if self.classNames.count != self.classes {
            problems.append("classNames has \(self.classNames.count) names for \(self.classes) classes")
        }
        if self.standardizer.mean.count != self.inputs || self.standardizer.std.count != self.inputs {
            problems.append("standardizer must have \(self.inputs) means and stds")
        }
        return problems
    }

    /// Parses an architecture as the command line spells it: `logistic`, or
    /// `mlp:256,256` (hidden widths); nil when the text is neither.
    package static func hiddenWidths(parsing text: String) -> [Int]? {
        if text == "logistic" { return [] }
        guard text.hasPrefix("mlp:") else { return nil }
        let widths = text.dropFirst(4).split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !widths.isEmpty, widths.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return widths.map { $0! }
    }
}

extension ModelArchitecture {
    private enum CodingKeys: String, CodingKey {
        case format, version, inputs, hidden, classes, activation, dropout, frozen, featureNames, classNames,
            standardizer, decisionThreshold
    }

    /// Decodes leniently: only `inputs`, `hidden` and `classes` are required, so a
    /// hand-written architecture file for `train --arch` can leave the rest out.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            inputs: try c.decode(Int.self, forKey: .inputs),
            hidden: try c.decode([Int].self, forKey: .hidden),
            classes: try c.decode(Int.self, forKey: .classes),
            activation: try c.decodeIfPresent(ActivationKind.self, forKey: .activation) ?? .relu,
            dropout: try c.decodeIfPresent(Float.self, forKey: .dropout) ?? 0,
            featureNames: try c.decodeIfPresent([String].self, forKey: .featureNames),
            classNames: try c.decodeIfPresent([String].self, forKey: .classNames),
            standardizer: try c.decodeIfPresent(Standardizer.self, forKey: .standardizer)
        )
        self.format = try c.decodeIfPresent(String.self, forKey: .format) ?? Self.formatName
        self.version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
        self.frozen = try c.decodeIfPresent([String].self, forKey: .frozen) ?? []
        self.decisionThreshold = try c.decodeIfPresent(Double.self, forKey: .decisionThreshold)
    }
}
