import FedData
import FedRounds
import FedTensor
import Foundation
import OrderedCollections

/// A site's work in a round, shared by real sites and simulated ones: start from the global
/// model's trainable tensors, fine-tune on the site's training data and return delta =
/// local − global for those tensors with the example count and training metrics; and score
/// a round's global model on the site's held-out data.
package enum RoundTraining {
    package struct Result: Sendable {
        package var delta: OrderedDictionary<String, Tensor>
        package var examples: Int
        package var metrics: [String: Double]
    }

    /// `model` holds the base model; it is overwritten with `global` and then trained.
    package static func train<Model: TrainableClassifier>(
        _ model: Model,
        global: OrderedDictionary<String, Tensor>,
        data: Model.Examples,
        configuration: TrainingConfiguration
    ) throws -> Result {
        try model.load(global, requireAll: false, source: "round tensors")
        let started = Date()
        let history = try Trainer(configuration: configuration).fit(model, train: data, proximalAnchor: global)
        let seconds = Date().timeIntervalSince(started)
        var delta: OrderedDictionary<String, Tensor> = [:]
        // Exact LoRA aggregation's residuals are the coordinator's: they never travel back.
        for (name, start) in global where !LoRAExactAggregation.isResidual(name) {
            var local = model.parameters[name]!.value
            local.subtract(start)
            delta[name] = local
        }
        let last = history.epochs.last
        return Result(
            delta: delta,
            examples: data.count,
            metrics: [
                "loss": Double(last?.trainLoss ?? .nan), "accuracy": last?.trainAccuracy ?? .nan, "seconds": seconds,
            ]
        )
    }

    /// The metrics a site reports for the global model on its held-out examples: accuracy,
    /// macro F1 and loss (no examples: none). A two-class model adds the rare-class scores
    /// (`BinaryMetrics.reported`, each only where defined) and `threshold`: the decision
    /// threshold meeting `target` for this global model on these examples, left out when it
    /// cannot be met here (a site without positives). The coordinator's example-weighted
    /// mean of the sites' `threshold` is the federation's threshold for the round's model.
    package static func evaluate<Model: TrainableClassifier>(
        _ model: Model,
        on heldOut: Model.Examples,
        threshold target: ThresholdTarget? = .bestF1
    )
        -> (examples: Int, metrics: [String: Double])
    {
        guard heldOut.count > 0 else { return (0, [:]) }
        let metrics = model.metrics(heldOut)
        let (loss, _) = evaluateLoss(model, heldOut, SoftmaxCrossEntropy(classes: model.classCount))
        var reported = ["accuracy": metrics.accuracy, "macro_f1": metrics.macroF1, "loss": Double(loss)]
        if let binary = metrics.binary {
            reported.merge(binary.reported) { kept, _ in kept }
            if let target, let threshold = try? model.chooseThreshold(heldOut, target: target, source: "held-out") {
                reported["threshold"] = threshold
            }
        }
        return (heldOut.count, reported)
    }
}
