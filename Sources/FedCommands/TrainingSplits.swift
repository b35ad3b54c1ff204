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
}
