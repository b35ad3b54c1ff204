import FedData
import FedImage
import FedLearning
import FedRounds

/// A runnable multi-site scenario, as a YAML file in scenarios/ states it
/// (scenarios/README.md documents every key).
package struct Scenario: Sendable, Equatable {
    /// How the tabular model is pretrained when no model folder is given: on a synthetic
    /// source domain, or on a public share of the scenario's own data set aside before
    /// the sites get theirs (optionally of some classes only, so the federation has
    /// classes to learn that the pretrained model never saw).
    package struct Pretrain: Sendable, Equatable {
        /// The synthetic source domain; nil pretrains on a share of the scenario's data.
        package var domain: SyntheticDomain?
        /// With real data: the only classes in the pretraining share (nil: all classes).
        package var classes: [String]?
        package var examples = 4000
        package var architecture = "mlp:64,64"
        package var training = TrainingConfiguration()
    }

    /// Where the sites' data comes from.
    package enum Data: Sendable, Equatable {
        /// The pretraining world shifted by `shift`.
        case synthetic(shift: Float, examples: Int)
        /// A CSV (or, for text, JSON Lines) file and its label column.
        case csv(path: String, label: String)
        /// A dataset of the fetch cache (docs/DATASETS.md); its label column is `label`.
        case dataset(name: String)
        /// Labelled images: an .npz (all its splits pooled) or a folder of class subfolders.
        case images(path: String)
    }

    /// What an image scenario adds: the input size, how its CNN is fine-tuned, the
    /// augmentation of training batches, the class a screening test looks for, and each
    /// site's scanner.
    package struct ImageSettings: Sendable, Equatable {
        /// Images are resized to size × size.
        package var inputSize = 64
        package var fineTuning = ImageFineTuning()
        package var augmentation = AugmentationSettings.none
        /// Names of the classes an .npz's labels 0, 1, … stand for (an image folder names its own).
        package var classNames: [String]?
        /// The class whose sensitivity, specificity and ROC-AUC the report shows (binary tasks).
        package var positiveClass: String?
        /// One per site (or none): how that site's images are rendered.
        package var scanners: [ScannerShift] = []
    }

    /// How the loss weighs the classes in every model the run trains.
    package enum ClassWeighting: String, Sendable, Equatable, CaseIterable {
        /// All classes alike (or `local.classWeights` when given).
        case none
        /// n / (classes · count) from the pooled training data's class counts, as
        /// scikit-learn's `class_weight="balanced"`; the same weights for every site.
        case balanced
    }

    /// What must hold at the end for `simulate` to exit 0.
    package struct Expectations: Sendable, Equatable {
        package var minimumAccuracy: Double?
        package var minimumMacroF1: Double?
        package var beatPretrained = false
        /// The federated model beats the mean of the sites fine-tuning alone.
        package var beatLocal = false
        /// The federated model's accuracy is at most this far below centralised training.
        package var maximumGapToCentralised: Double?
        /// The worst site's accuracy of the global model on its own held-out data.
        package var minimumWorstSiteAccuracy: Double?
        /// Mean recall, on the global test set, of the classes left out of pretraining.
        package var minimumNewClassRecall: Double?
        /// The federated model's PR-AUC (average precision) of the positive class.
        package var minimumPRAUC: Double?
        /// The federated model's PR-AUC beats every site alone and their mean.
        package var beatLocalPRAUC = false
    }

    package var name: String
    /// A sentence or two on what the scenario shows, for the report.
    package var description = ""
    package var seed: UInt64 = 0
    package var pretrain: Pretrain?
    /// The model to start from: a folder (a tabular model folder, or for text a Hugging
    /// Face BERT folder), or the name of a model in the fetch cache (`all-MiniLM-L6-v2`).
    package var model: String?
    package var freeze: [String] = []
    package var data: Data
    /// The column holding each example's text; set, the scenario fine-tunes a text model.
    package var textColumn: String?
    /// Which part of a text model trains (and travels).
    package var fineTuning = FineTuning()
    /// Set, the scenario fine-tunes a pretrained image model.
    package var image: ImageSettings?
    /// Dropout on a text model's pooled embedding before the head.
    package var dropout: Float = 0.1
    /// Longest tokenised text, [CLS] and [SEP] included; nil keeps the model's own.
    package var maxLength: Int?
    /// Share of the data kept as the global held-out test set (stratified).
    package var testFraction = 0.25
    /// The size of the global test set as a count; overrides `testFraction`.
    package var testExamples: Int?
    /// Share of each site's data it holds out to score the global model on.
    package var siteTestFraction = 0.2
    /// Each site keeps at most this many examples (a seeded random subset), so a large
    /// dataset runs in minutes.
    package var maxExamplesPerSite: Int?
    package var sites: Int
    package var partition: Partition = .iid
    package var rounds: Int
    package var sample: SampleSize = .all
    package var clipNorm: Float?
    package var serverLearningRate: Float = 1
    /// The server optimizer, the robust rule and the sites' compression, and the keys as the
    /// file wrote them (for the coordinator.yaml of a process federation).
    package var strategy = Strategy()
    package var strategySettings: StrategySettings?
    /// DP-FedAvg's settings; resolved against the number of sites when the run starts.
    package var privacy: PrivacySettings?
    /// Secure aggregation's settings; nil sums updates in the clear.
    package var secureAggregation: SecureAggregationSettings?
    /// Early stopping on the federated validation loss (`early_stopping`); nil runs every round.
    package var earlyStopping: EarlyStopping.Settings?
    /// Hostile sites (in process only), to measure robust aggregation.
    package var attack: Attack?
    package var local = TrainingConfiguration()
    package var classWeighting = ClassWeighting.none
    /// The rare class a two-class tabular scenario is read for (`positive_class`): its PR-AUC,
    /// ROC-AUC, recall at 1% FPR, precision, recall and F1 are shown for every model.
    package var positiveClass: String?
    package var expectations = Expectations()

    /// Whether the scenario fine-tunes a text classifier.
    package var isText: Bool { self.textColumn != nil }
    /// Whether the scenario fine-tunes an image classifier.
    package var isImage: Bool { self.image != nil }
}
