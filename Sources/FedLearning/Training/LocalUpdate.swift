import FedData
import FedTensor
import Foundation
import OrderedCollections

/// A site's work in one round, shared by real sites and simulated ones: start from the
/// global model's trainable tensors, fine-tune on the site's training data, and return
/// delta = local − global for those tensors with the example count and training metrics.
package enum LocalUpdate {
    package struct Result: Sendable {
        package var delta: OrderedDictionary<String, Tensor>
        package var examples: Int
        package var metrics: [String: Double]
    }

    /// `model` holds the base model; it is overwritten with `global` and then trained.
    package static func train<Model: TrainableClassifier>(
        _ model: Model, global: OrderedDictionary<String, Tensor>, data: Model.Examples, configuration: TrainingConfiguration
    ) throws -> Result {
        try model.load(global, requireAll: false, source: "round tensors")
        let started = Date()
        let history = try Trainer(configuration: configuration).fit(model, train: data)
        let seconds = Date().timeIntervalSince(started)
        var delta: OrderedDictionary<String, Tensor> = [:]
        for (name, start) in global {
            var local = model.parameters[name]!.value
            local.subtract(start)
            delta[name] = local
        }
        let last = history.epochs.last
        return Result(
            delta: delta, examples: data.count,
            metrics: ["loss": Double(last?.trainLoss ?? .nan), "accuracy": last?.trainAccuracy ?? .nan, "seconds": seconds])
    }
}
