import FedTensor
import Foundation

/// Decisions of a two-class model from its logits: class 1 when its probability reaches the
/// model's threshold, or the argmax when there is none.
package enum BinaryDecision {
    /// P(class 1) = σ(z₁ − z₀), in double precision.
    @inline(__always)
    package static func positiveProbability(_ z0: Float, _ z1: Float) -> Double {
        1 / (1 + Foundation.exp(Double(z0) - Double(z1)))
    }

    /// The class of each row of `logits` [N, C]: with a threshold and two classes, 1 when
    /// P(class 1) ≥ threshold; otherwise the argmax (the first of equal logits).
    package static func classes(_ logits: Tensor, threshold: Double?) -> [Int] {
        guard let threshold, logits.columns == 2 else { return logits.argmaxRows() }
        return (0..<logits.rows).map { row in
            self.positiveProbability(logits.scalars[2 * row], logits.scalars[2 * row + 1]) >= threshold ? 1 : 0
        }
    }
}

extension TrainableClassifier {
    /// Each example's probability of class 1 and the class decided for it (by `threshold`, or
    /// the argmax without one), from one pass in evaluation mode. The model has two classes.
    package func positiveScores(
        _ examples: Examples,
        threshold: Double?,
        batchSize: Int = 256
    ) -> (scores: [Double], decided: [Int]) {
        precondition(self.classCount == 2, "positive scores need a model of 2 classes, not \(self.classCount)")
        let all = Array(0..<examples.count)
        var scores: [Double] = []
        var decided: [Int] = []
        scores.reserveCapacity(examples.count)
        decided.reserveCapacity(examples.count)
        var start = 0
        while start < all.count {
            let end = Swift.min(start + batchSize, all.count)
            let logits = self.logits(examples, rows: all[start..<end], training: false)
            for row in 0..<(end - start) {
                scores.append(BinaryDecision.positiveProbability(logits.scalars[2 * row], logits.scalars[2 * row + 1]))
            }
            decided += BinaryDecision.classes(logits, threshold: threshold)
            start = end
        }
        return (scores, decided)
    }

    /// The confusion matrix of the decisions (the model's threshold unless `threshold` is
    /// given) with the rare-class scores beside it, class 1 being the positive class.
    package func binaryMetrics(_ examples: Examples, threshold: Double? = nil) -> ClassificationMetrics {
        let used = threshold ?? self.decisionThreshold
        let (scores, decided) = self.positiveScores(examples, threshold: used)
        var metrics = ClassificationMetrics(classNames: examples.classNames, truth: examples.labels, predicted: decided)
        metrics.binary = BinaryMetrics(
            positives: examples.labels.map { $0 == 1 },
            scores: scores,
            predicted: decided.map { $0 == 1 },
            threshold: used
        )
        return metrics
    }

    /// The threshold meeting `target` for this model on `examples` (validation data).
    package func chooseThreshold(_ examples: Examples, target: ThresholdTarget, source: String) throws -> Double {
        let (scores, _) = self.positiveScores(examples, threshold: nil)
        return try DecisionThreshold.choose(
            positives: examples.labels.map { $0 == 1 },
            scores: scores,
            target: target,
            source: source
        )
    }
}
