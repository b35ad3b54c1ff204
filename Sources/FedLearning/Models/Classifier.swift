import FedData
import FedTensor
import OrderedCollections

/// A feed-forward classifier (logistic regression or MLP) over standardised features:
/// Linear → activation → dropout, repeated, then a linear head giving logits.
package final class Classifier {
    package private(set) var architecture: ModelArchitecture
    package var parameters: ParameterStore
    private var layers: [any Layer] = []
    /// The rows of the last `logits` call, kept for `backward(logitsGradient:)`.
    private var batch = Tensor(shape: [0])

    /// A freshly initialised model; `seed` fixes the initial weights and dropout masks.
    package init(architecture: ModelArchitecture, seed: UInt64) {
        self.architecture = architecture
        var parameters = ParameterStore()
        var generator = SeededGenerator(seed: seed)
        let widths = architecture.widths
        for i in 0..<(widths.count - 1) {
            self.layers.append(
                Linear(
                    architecture.layerName(i),
                    inputs: widths[i],
                    outputs: widths[i + 1],
                    parameters: &parameters,
                    generator: &generator
                )
            )
            if i < widths.count - 2 {
                self.layers.append(Activation(architecture.activation))
                if architecture.dropout > 0 {
                    self.layers.append(Dropout(rate: architecture.dropout, seed: generator.next()))
                }
            }
        }
        self.parameters = parameters
        self.applyFrozen()
    }

    /// Marks tensors whose names start with any of `prefixes` as frozen (and all others
    /// trainable), e.g. ["hidden.0"] keeps the first layer's general features fixed.
    package func freeze(prefixes: [String]) {
        self.architecture.frozen = self.parameters.names.filter { name in prefixes.contains { name.hasPrefix($0) } }
        self.applyFrozen()
    }

    private func applyFrozen() {
        let frozen = Set(self.architecture.frozen)
        for i in 0..<self.parameters.count {
            self.parameters[i].trainable = !frozen.contains(self.parameters[i].name)
        }
    }

    /// Replaces the saved preprocessing (feature order, class names, standardisation).
    package func setPreprocessing(featureNames: [String], classNames: [String], standardizer: Standardizer) {
        self.architecture.featureNames = featureNames
        self.architecture.classNames = classNames
        self.architecture.standardizer = standardizer
    }

    /// Sets the decision threshold a two-class model keeps in model.json (nil: argmax).
    package func setDecisionThreshold(_ threshold: Double?) {
        self.architecture.decisionThreshold = threshold
    }

    /// Logits [N, classes] for standardised inputs [N, inputs]; `training` enables dropout.
    @discardableResult
    package func forward(_ input: Tensor, training: Bool) -> Tensor {
        for (i, layer) in self.layers.enumerated() {
            layer.forward(i == 0 ? input : self.layers[i - 1].output, parameters: self.parameters, training: training)
        }
        return self.layers[self.layers.count - 1].output
    }

    /// Accumulates parameter gradients for the last forward, given dloss/dlogits.
    /// Stops below the lowest layer that has a trainable tensor: nothing there learns.
    package func backward(_ input: Tensor, logitsGradient: Tensor) {
        let lowest = self.lowestTrainableLayer
        for i in stride(from: self.layers.count - 1, through: lowest, by: -1) {
            let layerInput = i == 0 ? input : self.layers[i - 1].output
            let outputGradient = i == self.layers.count - 1 ? logitsGradient : self.layers[i + 1].inputGradient
            self.layers[i].backward(
                layerInput,
                outputGradient: outputGradient,
                parameters: &self.parameters,
                needsInputGradient: i > lowest
            )
        }
    }

    /// Index of the first layer owning a trainable tensor (layers below need no gradient).
    private var lowestTrainableLayer: Int {
        for (i, layer) in self.layers.enumerated() {
            guard let linear = layer as? Linear else { continue }
            if self.parameters[linear.weight].trainable || linear.bias.map({ self.parameters[$0].trainable }) == true {
                return i
            }
        }
        return self.layers.count
    }

    /// Predicted class of each row of standardised inputs [N, inputs], in batches.
    package func predict(_ features: Tensor, batchSize: Int = 1024) -> [Int] {
        var predictions: [Int] = []
        predictions.reserveCapacity(features.rows)
        var batch = Tensor(shape: [0])
        var start = 0
        while start < features.rows {
            let end = Swift.min(start + batchSize, features.rows)
            features.gatherRows(start..<end, into: &batch)
            let logits = self.forward(batch, training: false)
            predictions += BinaryDecision.classes(logits, threshold: self.decisionThreshold)
            start = end
        }
        return predictions
    }
}

extension Classifier: TrainableClassifier {
    package var classCount: Int { self.architecture.classes }
    package var decisionThreshold: Double? { self.architecture.decisionThreshold }

    package func logits(_ examples: Dataset, rows: ArraySlice<Int>, training: Bool) -> Tensor {
        examples.features.gatherRows(rows, into: &self.batch)
        return self.forward(self.batch, training: training)
    }

    package func backward(logitsGradient: Tensor) {
        self.backward(self.batch, logitsGradient: logitsGradient)
    }

    package func load(_ tensors: OrderedDictionary<String, Tensor>, requireAll: Bool, source: String) throws {
        try self.parameters.load(tensors, requireAll: requireAll, source: source)
    }
}
