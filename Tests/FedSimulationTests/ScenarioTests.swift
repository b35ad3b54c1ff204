import FedData
import FedLearning
import Foundation
import Testing

@testable import FedSimulation

/// Reading scenario files: every scenario in scenarios/ loads, and a bad file is refused
/// with its path and the key at fault.
struct ScenarioTests {
    static let scenarios = SimulationTests.repository.appendingPathComponent("scenarios")

    /// Writes `yaml` to a temporary file, loads it and returns the error's text.
    private func loadError(_ yaml: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-\(UUID()).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let error = #expect(throws: ScenarioError.self) { try Scenario.load(file) }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains(file.path), "\(text)")
        return text
    }

    @Test(arguments: [
        "quickstart", "bench-federation", "sentiment-by-topic", "bbc-news", "breast-cancer-hospitals",
        "digits-label-skew",
    ])
    func everyScenarioInTheRepositoryLoads(name: String) throws {
        let scenario = try Scenario.load(Self.scenarios.appendingPathComponent("\(name).yaml"))

        #expect(scenario.name == name)
        #expect(scenario.rounds >= 1)
    }

    @Test func textScenarioKeysAreRead() throws {
        let scenario = try Scenario.load(Self.scenarios.appendingPathComponent("sentiment-by-topic.yaml"))

        #expect(scenario.isText)
        #expect(scenario.data == .dataset(name: "tweets-sentiment"))
        #expect(scenario.partition == .byColumn("topic"))
        #expect(scenario.model == "all-MiniLM-L6-v2")
        #expect(
            scenario.fineTuning
                == FineTuning(
                    mode: .lora,
                    lora: LoRASettings(rank: 8, alpha: 16, dropout: 0.1, targets: ["query", "value"])
                )
        )
        #expect(scenario.maxExamplesPerSite == 200)
        #expect(scenario.testExamples == 450)
        #expect(!scenario.description.isEmpty)
    }

    @Test func pretrainingOnSomeClassesIsRead() throws {
        let scenario = try Scenario.load(Self.scenarios.appendingPathComponent("digits-label-skew.yaml"))

        #expect(scenario.pretrain?.classes == ["0", "1", "2", "3", "4"])
        #expect(scenario.pretrain?.domain == nil)
        #expect(scenario.expectations.minimumNewClassRecall == 0.8)
    }

    @Test func unknownKeyIsNamedWithItsLine() throws {
        let text = try self.loadError(
            "dataset: digits\nsites: 3\nrounds: 2\npretrain: {examples: 10}\nlocal:\n  epochs: 1\n  learning_rte: 0.1\n"
        )

        #expect(text.contains("line 7, column 3"), "\(text)")
        #expect(text.contains("unknown key 'local.learning_rte'"), "\(text)")
        #expect(text.contains("learning_rate"), "the known keys are listed: \(text)")
    }

    @Test func oldCamelCaseKeyIsRefusedNamingTheNewOne() throws {
        let text = try self.loadError(
            "dataset: digits\nsites: 3\nrounds: 2\npretrain: {examples: 10}\nlocal:\n  epochs: 1\n  learningRate: 0.1\n"
        )

        #expect(text.contains("line 7, column 3: 'local.learningRate' is spelt 'learning_rate'"), "\(text)")
    }

    @Test func optimizerNeedsOnlyTheKeysItChanges() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-scenario-\(UUID()).yaml")
        defer { try? FileManager.default.removeItem(at: url) }
        try "dataset: digits\nsites: 3\nrounds: 2\npretrain: {examples: 10}\nlocal: {optimizer: {kind: sgd}}\n"
            .write(to: url, atomically: true, encoding: .utf8)

        let scenario = try Scenario.load(url)

        #expect(scenario.local.optimizer.kind == .sgd && scenario.local.optimizer.momentum == 0.9)
    }

    @Test func wrongTypeNamesLineColumnAndWhatWasFound() throws {
        let text = try self.loadError(
            "dataset: digits\nsites: 3\nrounds: 2\npretrain: {examples: 10}\nlocal:\n  learning_rate: 0.5x\n"
        )

        #expect(
            text.contains("line 6, column 18: expected a number for 'local.learning_rate', found '0.5x'"),
            "\(text)"
        )
    }

    @Test func misspeltTopLevelKeyIsRefused() throws {
        let text = try self.loadError(
            "dataset: digits\nsites: 3\nrounds: 2\npretrain: {examples: 10}\nmax_exmaples_per_site: 10\n"
        )

        #expect(text.contains("unknown key 'max_exmaples_per_site'"), "\(text)")
    }

    @Test func badValueNamesTheKey() throws {
        let text = try self.loadError(
            "dataset: digits\nsites: 3\nrounds: 2\npretrain: {examples: 10}\nlocal: {epochs: many}\n"
        )

        #expect(text.contains("local.epochs"), "\(text)")
    }

    @Test func unknownClassWeightingIsRefused() throws {
        let text = try self.loadError(
            "dataset: digits\nsites: 3\nrounds: 2\npretrain: {examples: 10}\nlocal: {class_weights: inverse}\n"
        )

        #expect(
            text.contains("line 5, column 24: 'local.class_weights': 'inverse' is not balanced, none or a list"),
            "\(text)"
        )
    }

    @Test func unknownDatasetListsTheKnownOnes() throws {
        let text = try self.loadError("dataset: mnist\nsites: 3\nrounds: 2\npretrain: {examples: 10}\n")

        #expect(text.contains("dataset 'mnist'"), "\(text)")
        #expect(text.contains("digits"), "\(text)")
    }

    @Test func unknownModelIsNeitherFolderNorCachedModel() throws {
        let text = try self.loadError(
            "dataset: bbc-news\ntext_column: text\nmodel: no-such-bert\nsites: 3\nrounds: 2\n"
        )

        #expect(text.contains("model 'no-such-bert' is neither a folder"), "\(text)")
    }

    @Test func textSettingsOnATabularScenarioAreRefused() throws {
        let text = try self.loadError(
            "dataset: digits\nsites: 3\nrounds: 2\npretrain: {examples: 10}\nfine_tuning: {mode: head}\n"
        )

        #expect(text.contains("fine_tuning is for text and image models"), "\(text)")
    }

    @Test func badFineTuningModeNamesTheKey() throws {
        let text = try self.loadError(
            "dataset: bbc-news\ntext_column: text\nmodel: all-MiniLM-L6-v2\nsites: 3\nrounds: 2\nfine_tuning: {mode: adapters}\n"
        )

        #expect(text.contains("fine_tuning.mode"), "\(text)")
    }
}
