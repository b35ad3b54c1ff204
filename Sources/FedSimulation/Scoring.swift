import FedLearning
import FedTensor

/// A model's scores on a set of examples from one pass over them: every metric comes from
/// the confusion matrix, and the mean cross-entropy and (with a positive class) the
/// screening metrics from the same logits, so scoring a model each round costs one forward
/// pass, not two.
struct Score: Sendable {
    var metrics: ClassificationMetrics
    /// Mean unweighted cross-entropy; NaN for no examples.
    var loss: Double
    /// The model as a screening test for the positive class against the rest; nil when the
    /// scenario names no positive class.
    var screening: ScreeningMetrics?
    /// A two-class model's rare-class scores for the positive class (PR-AUC, ROC-AUC, recall
    /// at 1% FPR, the positive class's precision, recall and F1); nil when the scenario names
    /// no positive class or the model has more classes.
    var binary: BinaryMetrics?

    var accuracy: Double { self.metrics.accuracy }

    init<Model: SimulatedModel>(
        _ model: Model,
        _ examples: Model.Examples,
        positiveClass: Int? = nil,
        batchSize: Int = 64
    ) {
        let loss = SoftmaxCrossEntropy(classes: model.classCount)
        var metrics = ClassificationMetrics(classNames: model.classNames)
        // Rows of similar length batched together pad less (text); a table has no order to prefer.
        let order = model.evaluationOrder(examples)
        var total = 0.0
        var truth: [Int] = []
        var predictions: [Int] = []
        var probabilities: [Double] = []
        var start = 0
        while start < order.count {
            let rows = order[start..<Swift.min(start + batchSize, order.count)]
            let targets = rows.map { examples.labels[$0] }
            let logits = model.logits(examples, rows: rows, training: false)
            total += Double(loss.forward(logits, targets: targets)) * Double(rows.count)
            // A two-class model with a decision threshold decides by it, as `fedtune predict` does.
            let predicted = BinaryDecision.classes(logits, threshold: model.decisionThreshold)
            for (target, predicted) in zip(targets, predicted) { metrics.confusion[target][predicted] += 1 }
            if let positiveClass {
                // The loss kept softmax(logits) [rows, classes]; the positive class's column ranks the examples.
                let classes = model.classCount
                let softmax = loss.probabilities.scalars
                probabilities += targets.indices.map { Double(softmax[$0 * classes + positiveClass]) }
                truth += targets
                predictions += predicted
            }
            start += batchSize
        }
        self.metrics = metrics
        self.loss = order.isEmpty ? .nan : total / Double(order.count)
        if let positiveClass, model.classCount == 2 {
            self.binary = BinaryMetrics(
                positives: truth.map { $0 == positiveClass },
                scores: probabilities,
                predicted: predictions.map { $0 == positiveClass },
                threshold: model.decisionThreshold
            )
        }
        self.screening = positiveClass.map {
            ScreeningMetrics(
                truth: truth,
                positiveClass: $0,
                positiveProbabilities: probabilities,
                predicted: predictions
            )
        }
    }
}

/// A site's model trained on its own data only, scored on the global test set and on the
/// site's own held-out data (nil when it holds none out).
struct SiteAloneScore: Sendable {
    var test: Score
    var own: Score?
}

extension Scenario {
    /// The index among `classNames` of the class the scenario screens for
    /// (`image.positive_class`, or `positive_class` of a tabular scenario); nil when it names
    /// none (or a class the model lacks).
    func positiveClassIndex(in classNames: [String]) -> Int? {
        (self.image?.positiveClass ?? self.positiveClass).flatMap { classNames.firstIndex(of: $0) }
    }
}
