import FedData
import FedLearning

/// The seeded, stratified train / validation / test split both `fedtune train` entry
/// points make, after checking that the fractions leave room for training.
enum TrainingSplits {
    /// Indices of [train, validation, test] for examples with these labels.
    static func indices(labels: [Int], validation: Double, test: Double, seed: UInt64) throws -> [[Int]] {
        guard validation >= 0, test >= 0, validation + test < 1 else {
            throw TrainingError.invalidConfiguration(
                detail: "validation and test fractions must leave room for training"
            )
        }
        return StratifiedSplit.indices(
            labels: labels,
            fractions: [1 - validation - test, validation, test],
            seed: seed
        )
    }

    /// Trains `model` on `train` (watching `validation` when it has examples), saves it with
    /// `save` only once training finished with a finite loss, and scores it: what the text
    /// and image entry points of `fedtune train` do once their examples are split.
    /// `classCounts` weighs the classes when given; `resumed` scores the model before
    /// training too (it was trained before).
    static func fit<Model: TrainableClassifier>(
        _ model: Model,
        train: Model.Examples,
        validation: Model.Examples,
        test: Model.Examples,
        configuration: TrainingConfiguration,
        classCounts: [Int]?,
        resumed: Bool,
        progress: any ProgressReporter,
        save: () throws -> Void
    ) throws -> TableTraining.Outcome {
        var configuration = configuration
        if let classCounts {
            configuration.classWeights = TrainingConfiguration.balancedClassWeights(counts: classCounts)
        }
        let baseAccuracy = resumed && validation.count > 0 ? model.metrics(validation).accuracy : nil
        let history = try Trainer(configuration: configuration, progress: progress)
            .fit(model, train: train, validation: validation.count > 0 ? validation : nil)
        try save()
        return TableTraining.Outcome(
            history: history,
            validation: validation.count > 0 ? model.metrics(validation) : nil,
            test: test.count > 0 ? model.metrics(test) : nil,
            baseValidationAccuracy: baseAccuracy
        )
    }
}
