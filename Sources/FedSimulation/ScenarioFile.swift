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
    }

    struct Expect: Decodable {
        var minAccuracy: Double?
        var minMacroF1: Double?
        var beatPretrained: Bool?
        var beatLocal: Bool?
        var maxGapToCentralised: Double?
        var minWorstSiteAccuracy: Double?
        var minNewClassRecall: Double?

        enum CodingKeys: String, CodingKey {
            case minAccuracy = "min_accuracy"
            case minMacroF1 = "min_macro_f1"
            case beatPretrained = "beat_pretrained"
            case beatLocal = "beat_local"
            case maxGapToCentralised = "max_gap_to_centralised"
            case minWorstSiteAccuracy = "min_worst_site_accuracy"
            case minNewClassRecall = "min_new_class_recall"
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
    var fineTuning: FineTuning?
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
    var rounds: Int
    var sample: String?
    var strategy: StrategySettings?
    var local: TrainingConfiguration?
    var expect: Expect?

    enum CodingKeys: String, CodingKey {
        case name, description, seed, pretrain, model, freeze, data, dataset, dropout, sites, partition, alpha, column
        case rounds, sample, strategy, local, expect
        case textColumn = "text_column"
        case fineTuning = "fine_tuning"
        case maxLength = "max_length"
        case testFraction = "test_fraction"
        case testExamples = "test_examples"
        case siteTestFraction = "site_test_fraction"
        case maxExamplesPerSite = "max_examples_per_site"
    }
}
