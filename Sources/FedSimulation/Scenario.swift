import FedData
import FedLearning
import FedRounds

/// A runnable multi-site scenario, as a YAML file in scenarios/ states it
/// (scenarios/README.md documents every key).
package struct Scenario: Sendable, Equatable {
    /// Pretraining on a synthetic source domain (when no model folder is given).
    package struct Pretrain: Sendable, Equatable {
        package var domain: SyntheticDomain
        package var examples = 4000
        package var architecture = "mlp:64,64"
        package var training = TrainingConfiguration()
    }

    /// Where the sites' data comes from: the pretraining world shifted, or a CSV file.
    package enum Data: Sendable, Equatable {
        case synthetic(shift: Float, examples: Int)
        case csv(path: String, label: String)
    }

    /// What must hold at the end for `simulate` to exit 0.
    package struct Expectations: Sendable, Equatable {
        package var minimumAccuracy: Double?
        package var beatPretrained = false
        package var beatLocal = false
    }

    package var name: String
    package var seed: UInt64 = 0
    package var pretrain: Pretrain?
    /// A model folder to start from instead of pretraining.
    package var model: String?
    package var freeze: [String] = []
    package var data: Data
    /// Share of the data kept as the global held-out test set.
    package var testFraction = 0.25
    package var sites: Int
    package var partition: Partition = .iid
    package var rounds: Int
    package var sample: SampleSize = .all
    package var clipNorm: Float?
    package var serverLearningRate: Float = 1
    package var local = TrainingConfiguration()
    package var expectations = Expectations()
}
