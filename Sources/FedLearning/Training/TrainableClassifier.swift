import FedData
import FedTensor
import OrderedCollections

/// Labelled examples a trainer can batch by index: numeric rows or tokenised texts.
package protocol LabeledExamples {
    var count: Int { get }
    var labels: [Int] { get }
    var classNames: [String] { get }
}

extension Dataset: LabeledExamples {}

/// A classifier the `Trainer` can fit: logits for some rows of its kind of examples, and
/// backward for the last of those batches. Tabular and text classifiers share one trainer,
/// one local update and one evaluation this way.
package protocol TrainableClassifier: AnyObject {
    associatedtype Examples: LabeledExamples
    var parameters: ParameterStore { get set }
    var classCount: Int { get }
    /// A two-class model's threshold on the probability of class 1 (nil: decide by argmax).
    var decisionThreshold: Double? { get }
    /// Logits [rows.count, classes] for the examples at `rows`; `training` enables dropout.
    func logits(_ examples: Examples, rows: ArraySlice<Int>, training: Bool) -> Tensor
    /// Accumulates parameter gradients for the last `logits` call, given dloss/dlogits.
    func backward(logitsGradient: Tensor)
    /// Replaces tensors by name (the round's global tensors, a checkpoint); all
    /// disagreements are reported at once.
    func load(_ tensors: OrderedDictionary<String, Tensor>, requireAll: Bool, source: String) throws
}

extension TrainableClassifier {
    /// Models without a threshold in their description decide by argmax.
    package var decisionThreshold: Double? { nil }

    /// Predicted class of every example, in batches.
    package func predict(_ examples: Examples, batchSize: Int = 256) -> [Int] {
        let all = Array(0..<examples.count)
        var predictions: [Int] = []
        predictions.reserveCapacity(examples.count)
        var start = 0
        while start < all.count {
            let end = Swift.min(start + batchSize, all.count)
            let logits = self.logits(examples, rows: all[start..<end], training: false)
            predictions += BinaryDecision.classes(logits, threshold: self.decisionThreshold)
            start = end
        }
        return predictions
    }

    /// Accuracy, per-class scores and the confusion matrix on `examples`; for a two-class
    /// model also the rare-class scores (`ClassificationMetrics.binary`).
    package func metrics(_ examples: Examples) -> ClassificationMetrics {
        if self.classCount == 2 { return self.binaryMetrics(examples) }
        return ClassificationMetrics(
            classNames: examples.classNames,
            truth: examples.labels,
            predicted: self.predict(examples)
        )
    }
}
