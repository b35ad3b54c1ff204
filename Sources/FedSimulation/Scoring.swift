import FedLearning
import FedTensor

/// A model's scores on a set of examples from one pass over them: every metric comes from
/// the confusion matrix, and the mean cross-entropy from the same logits, so scoring a
/// text model each round costs one encoder pass, not two.
struct Score: Sendable {
    var metrics: ClassificationMetrics
    /// Mean unweighted cross-entropy; NaN for no examples.
    var loss: Double

    var accuracy: Double { self.metrics.accuracy }

    init<Model: SimulatedModel>(_ model: Model, _ examples: Model.Examples, batchSize: Int = 64) {
        let loss = SoftmaxCrossEntropy(classes: model.classCount)
        var metrics = ClassificationMetrics(classNames: model.classNames)
        // Rows of similar length batched together pad less (text); a table has no order to prefer.
        let order = model.evaluationOrder(examples)
        var total = 0.0
        var start = 0
        while start < order.count {
            let rows = order[start..<Swift.min(start + batchSize, order.count)]
            let targets = rows.map { examples.labels[$0] }
            let logits = model.logits(examples, rows: rows, training: false)
            total += Double(loss.forward(logits, targets: targets)) * Double(rows.count)
            for (target, predicted) in zip(targets, logits.argmaxRows()) { metrics.confusion[target][predicted] += 1 }
            start += batchSize
        }
        self.metrics = metrics
        self.loss = order.isEmpty ? .nan : total / Double(order.count)
    }
}

/// A site's model trained on its own data only, scored on the global test set and on the
/// site's own held-out data (nil when it holds none out).
struct SiteAloneScore: Sendable {
    var test: Score
    var own: Score?
}
