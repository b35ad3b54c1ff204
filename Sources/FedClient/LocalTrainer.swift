import FedData
import FedLearning
import FedTensor
import Foundation
import OrderedCollections

/// A site's side of a round: rebuilds the global model from the base model and the
/// round's trainable tensors, fine-tunes it on the site's training split and returns
/// delta = local − global for the trainable tensors.
final class LocalTrainer {
    let data: URL
    let labelColumn: String
    let evaluationFraction: Double
    let seed: UInt64
    /// The split data for the architecture it was prepared for: a site reads its file
    /// once per connection, not once per round.
    private var prepared: (architecture: ModelArchitecture, train: Dataset, evaluation: Dataset)?

    init(data: URL, labelColumn: String, evaluationFraction: Double, seed: UInt64) {
        self.data = data
        self.labelColumn = labelColumn
        self.evaluationFraction = evaluationFraction
        self.seed = seed
    }

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
        if let prepared = self.prepared, prepared.architecture == architecture {
            return (prepared.train, prepared.evaluation)
        }
        var data = try Dataset.readCSV(
            self.data, labelColumn: self.labelColumn, featureColumns: architecture.featureNames,
            classNames: architecture.classNames)
        architecture.standardizer.apply(to: &data.features)
        let parts = StratifiedSplit.indices(
            labels: data.labels, fractions: [1 - self.evaluationFraction, self.evaluationFraction], seed: self.seed)
        let split = (train: data.subset(parts[0]), evaluation: data.subset(parts[1]))
        self.prepared = (architecture, split.train, split.evaluation)
        return split
    }
}
