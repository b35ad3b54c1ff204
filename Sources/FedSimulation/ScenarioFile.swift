import FedData
import FedImage
import FedLearning
import FedRounds

/// The shape of a scenario YAML file, snake_case keys as written; `Scenario+YAML` checks
/// the values and turns it into a `Scenario`. `ScenarioKeys` lists the same keys, so a key
/// this type would silently ignore is reported instead.
struct ScenarioFile: Decodable {
    /// `pretrain.classes`: a count for a synthetic domain, or class names for a share of real data.
    enum Classes: Decodable {
        case count(Int)
        case names([String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let count = try? container.decode(Int.self) {
                self = .count(count)
            } else if let names = try? container.decode([String].self) {
                self = .names(names)
            } else {
                throw DecodingError.typeMismatch(
                    Classes.self,
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "a class count (synthetic domain) or a list of class names (real data)"
                    )
                )
            }
        }
    }

    struct Pretrain: Decodable {
        var features: Int?
        var classes: Classes?
        var noise: Float?
        var worldSeed: UInt64?
        var examples: Int?
        var arch: String?
        var training: TrainingConfiguration?

        enum CodingKeys: String, CodingKey {
            case features, classes, noise, examples, arch, training
            case worldSeed = "world_seed"
        }
    }

    struct DataSource: Decodable {
        var shift: Float?
        var examples: Int?
        var csv: String?
        var label: String?
        /// Images: a NumPy .npz (every `<split>_images`/`<split>_labels` pair, or `images`/`labels`).
        var npz: String?
        /// Images: a folder with one subfolder of PNG files per class.
        var images: String?
    }

    /// `fine_tuning` as a text model reads it and as an image model does; `Scenario+YAML`
    /// takes the one that matches the scenario's kind.
    struct FineTuningFile: Decodable {
        var text: FineTuning?
        var image: ImageFineTuning?

        init(from decoder: any Decoder) throws {
            self.text = try? FineTuning(from: decoder)
            self.image = try? ImageFineTuning(from: decoder)
            if self.text == nil && self.image == nil { self.text = try FineTuning(from: decoder) }
        }
    }

    /// `prevalence`: each site's share of one class.
    struct Prevalence: Decodable {
        var className: String
        var shares: [Double]

        enum CodingKeys: String, CodingKey {
            case className = "class"
            case shares
        }
    }

    /// `image`: what an image scenario adds.
    struct Image: Decodable {
        var size: Int?
        var classNames: [String]?
        var positiveClass: String?
        var augmentation: AugmentationSettings?
        var scanners: [ScannerShift]?

        enum CodingKeys: String, CodingKey {
            case size, augmentation, scanners
            case positiveClass = "positive_class"
            case classNames = "class_names"
        }
    }

    struct Expect: Decodable {
        var minAccuracy: Double?
        var minMacroF1: Double?
        var beatPretrained: Bool?
        var beatLocal: Bool?
        var maxGapToCentralised: Double?
        var minWorstSiteAccuracy: Double?
        var minNewClassRecall: Double?
        var minPRAUC: Double?
        var beatLocalPRAUC: Bool?

        enum CodingKeys: String, CodingKey {
            case minAccuracy = "min_accuracy"
            case minMacroF1 = "min_macro_f1"
            case beatPretrained = "beat_pretrained"
            case beatLocal = "beat_local"
            case maxGapToCentralised = "max_gap_to_centralised"
            case minWorstSiteAccuracy = "min_worst_site_accuracy"
            case minNewClassRecall = "min_new_class_recall"
            case minPRAUC = "min_pr_auc"
            case beatLocalPRAUC = "beat_local_pr_auc"
        }
    }

    var name: String?
    var description: String?
    var seed: UInt64?
    var pretrain: Pretrain?
    var model: String?
    var freeze: [String]?
    var data: DataSource?
    var dataset: String?
    var textColumn: String?
    var fineTuning: FineTuningFile?
    var image: Image?
    var prevalence: Prevalence?
    var dropout: Float?
    var maxLength: Int?
    var testFraction: Double?
    var testExamples: Int?
    var siteTestFraction: Double?
    var maxExamplesPerSite: Int?
    var sites: Int?
    var partition: String?
    var alpha: Double?
    var column: String?
    /// `partition: ranges`: the second column each site's examples lean towards a band of.
    var mix: RangeMix?
    /// A two-class tabular scenario's rare class, read for PR-AUC and the positive class's scores.
    var positiveClass: String?
    var rounds: Int
    var sample: String?
    var strategy: StrategySettings?
    var privacy: PrivacySettings?
    var secureAggregation: SecureAggregationSettings?
    var earlyStopping: EarlyStopping.Settings?
    var attack: Attack.Settings?
    var local: TrainingConfiguration?
    var expect: Expect?

    enum CodingKeys: String, CodingKey {
        case name, description, seed, pretrain, model, freeze, data, dataset, dropout, sites, partition, alpha, column
        case rounds, sample, strategy, privacy, local, expect, image, prevalence, attack, mix
        case positiveClass = "positive_class"
        case secureAggregation = "secure_aggregation"
        case earlyStopping = "early_stopping"
        case textColumn = "text_column"
        case fineTuning = "fine_tuning"
        case maxLength = "max_length"
        case testFraction = "test_fraction"
        case testExamples = "test_examples"
        case siteTestFraction = "site_test_fraction"
        case maxExamplesPerSite = "max_examples_per_site"
    }
}
