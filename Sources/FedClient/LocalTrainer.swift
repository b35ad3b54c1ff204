import FedData
import FedLearning
import FedTensor
import Foundation
import OrderedCollections

/// A site's side of a round: rebuilds the global model from the base model and the
/// round's trainable tensors, fine-tunes it on the site's training split and returns
/// delta = local − global for the trainable tensors.
struct LocalTrainer {
    let data: URL
    let labelColumn: String
    let evaluationFraction: Double
    let seed: UInt64

    func train(base: Classifier, trainable: OrderedDictionary<String, Tensor>, configuration: TrainingConfiguration) throws
        -> LocalUpdate.Result
    {
        let (train, _) = try self.splits(for: base.architecture)
        return try LocalUpdate.train(base, global: trainable, data: train, configuration: configuration)
    }

    struct Evaluation {
        var examples: Int
        var metrics: [String: Double]
    }

    /// Scores the global model (base plus the round's trainable tensors) on the site's
    /// held-out split: accuracy, macro F1 and loss.
    func evaluate(_ base: Classifier, trainable: OrderedDictionary<String, Tensor>) throws -> Evaluation {
        try base.parameters.load(trainable, requireAll: false, source: "round tensors")
        let (_, held) = try self.splits(for: base.architecture)
        guard held.count > 0 else { return Evaluation(examples: 0, metrics: [:]) }
        let metrics = LocalTraining.metrics(base, held)
        let (loss, _) = evaluateLoss(base, held, SoftmaxCrossEntropy(classes: base.architecture.classes))
        return Evaluation(
            examples: held.count,
            metrics: ["accuracy": metrics.accuracy, "macro_f1": metrics.macroF1, "loss": Double(loss)])
    }

    /// The site's data with the model's features, classes and standardisation, split
    /// (seeded, stratified) into a training part and a held-out evaluation part.
    func splits(for architecture: ModelArchitecture) throws -> (train: Dataset, evaluation: Dataset) {
        var data = try Dataset.readCSV(
            self.data, labelColumn: self.labelColumn, featureColumns: architecture.featureNames,
            classNames: architecture.classNames)
        architecture.standardizer.apply(to: &data.features)
        let parts = StratifiedSplit.indices(
            labels: data.labels, fractions: [1 - self.evaluationFraction, self.evaluationFraction], seed: self.seed)
        return (data.subset(parts[0]), data.subset(parts[1]))
    }
}
