import FedData
import FedLearning
import FedRounds
import FedTensor
import Foundation
import Yams

/// Why a scenario could not be read or run; every case names the file and the field.
package enum ScenarioError: Error, Equatable, CustomStringConvertible {
    case invalid(path: String, detail: String)
    case expectationsFailed([String])

    package var description: String {
        switch self {
        case .invalid(let path, let detail): "\(path): \(detail)"
        case .expectationsFailed(let failures): "expectations not met: " + failures.joined(separator: "; ")
        }
    }
}

extension Scenario {
    private struct File: Decodable {
        struct Pretrain: Decodable {
            var features: Int
            var classes: Int
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
            var beatPretrained: Bool?
            var beatLocal: Bool?
            enum CodingKeys: String, CodingKey {
                case minAccuracy = "min_accuracy"
                case beatPretrained = "beat_pretrained"
                case beatLocal = "beat_local"
            }
        }

        var name: String?
        var seed: UInt64?
        var pretrain: Pretrain?
        var model: String?
        var freeze: [String]?
        var data: DataSource
        var testFraction: Double?
        var sites: Int
        var partition: String?
        var alpha: Double?
        var column: String?
        var rounds: Int
        var sample: String?
        var strategy: StrategySettings?
        var local: TrainingConfiguration?
        var expect: Expect?

        enum CodingKeys: String, CodingKey {
            case name, seed, pretrain, model, freeze, data, sites, partition, alpha, column, rounds, sample, strategy, local, expect
            case testFraction = "test_fraction"
        }
    }

    /// Reads a scenario file; relative paths inside it are relative to the file.
    package static func load(_ url: URL) throws -> Scenario {
        let path = url.path
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ScenarioError.invalid(path: path, detail: "no such file or not UTF-8")
        }
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: text, userInfo: [:])
        } catch let error as DecodingError {
            throw ScenarioError.invalid(path: path, detail: error.fieldDescription)
        } catch {
            throw ScenarioError.invalid(path: path, detail: "not valid YAML (\(error))")
        }
        return try Scenario(file: file, folder: url.deletingLastPathComponent(), path: path)
    }

    private init(file: File, folder: URL, path: String) throws {
        func invalid(_ detail: String) -> ScenarioError { .invalid(path: path, detail: detail) }
        func resolve(_ value: String) -> String { value.hasPrefix("/") ? value : folder.appendingPathComponent(value).path }
        let data: Data
        if let csv = file.data.csv {
            guard let label = file.data.label else { throw invalid("data.label names the label column of data.csv") }
            data = .csv(path: resolve(csv), label: label)
        } else {
            data = .synthetic(shift: file.data.shift ?? 1, examples: file.data.examples ?? 2000)
        }
        self.init(name: file.name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, data: data,
                  sites: file.sites, rounds: file.rounds)
        guard file.sites >= 1 else { throw invalid("sites must be at least 1") }
        guard file.rounds >= 1 else { throw invalid("rounds must be at least 1") }
        self.seed = file.seed ?? 0
        if let pretrain = file.pretrain {
            var settings = Pretrain(domain: SyntheticDomain(
                features: pretrain.features, classes: pretrain.classes, noise: pretrain.noise ?? 1,
                worldSeed: pretrain.worldSeed ?? self.seed &+ 7))
            settings.examples = pretrain.examples ?? settings.examples
            settings.architecture = pretrain.arch ?? settings.architecture
            settings.training = pretrain.training ?? settings.training
            settings.training.seed = self.seed
            self.pretrain = settings
        }
        self.model = file.model.map(resolve)
        guard self.pretrain != nil || self.model != nil else { throw invalid("give either pretrain (a synthetic source domain) or model (a folder)") }
        if case .synthetic = data, self.pretrain == nil { throw invalid("synthetic data needs a pretrain domain to shift") }
        self.freeze = file.freeze ?? []
        self.testFraction = file.testFraction ?? self.testFraction
        guard self.testFraction > 0, self.testFraction < 1 else { throw invalid("test_fraction must be in (0, 1)") }
        switch file.partition ?? "iid" {
        case "iid": self.partition = .iid
        case "dirichlet":
            guard let alpha = file.alpha, alpha > 0 else { throw invalid("partition dirichlet needs a positive alpha") }
            self.partition = .dirichlet(alpha: alpha)
        case "column":
            guard let column = file.column else { throw invalid("partition column needs column: NAME") }
            self.partition = .byColumn(column)
        case let other: throw invalid("partition must be iid, dirichlet or column, not '\(other)'")
        }
        if let sample = file.sample, sample != "all" {
            if let count = Int(sample), count >= 1 {
                self.sample = .count(count)
            } else if let fraction = Double(sample), fraction > 0, fraction <= 1 {
                self.sample = .fraction(fraction)
            } else {
                throw invalid("sample must be 'all', a count or a fraction, not '\(sample)'")
            }
        }
        self.clipNorm = file.strategy?.clipNorm
        self.serverLearningRate = file.strategy?.serverLearningRate ?? 1
        self.local = file.local ?? self.local
        self.expectations = Expectations(
            minimumAccuracy: file.expect?.minAccuracy, beatPretrained: file.expect?.beatPretrained ?? false,
            beatLocal: file.expect?.beatLocal ?? false)
    }

    package init(name: String, data: Data, sites: Int, rounds: Int) {
        self.name = name
        self.data = data
        self.sites = sites
        self.rounds = rounds
    }
}
