import FedData
import FedLearning
import FedReport
import FedRounds
import FedTensor
import FedTestSupport
import Foundation
import Testing

@testable import FedSimulation

/// The fraud-banks scenario reduced to seconds: a synthetic CSV laid out like
/// creditcard-fraud.csv (time, v1…v28, amount, label; 2% frauds), five banks by period and
/// amount band, run end to end in process. The rare-class scores appear for every model,
/// the expectations on them are judged, and the federation's threshold reaches model.json.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct FraudBanksScenarioTests {
    /// Writes `rows` transactions: legitimate ones N(0, 1) in every component, frauds shifted
    /// in v1…v4 and with larger amounts; time rises through the file as in the real one.
    static func writeTransactions(to url: URL, rows: Int = 6_000, seed: UInt64 = 7) throws {
        var generator = SeededGenerator(seed: seed)
        var lines = ["time," + (1...28).map { "v\($0)" }.joined(separator: ",") + ",amount,label"]
        for row in 0..<rows {
            let fraud = generator.nextUniform() < 0.02
            let components = (1...28).map { index -> String in
                let shift: Float = fraud && index <= 4 ? (index % 2 == 0 ? 1.6 : -1.6) : 0
                return String(format: "%.5f", generator.nextNormal() + shift)
            }
            let amount = Double(generator.nextUniform()) * (fraud ? 400 : 150)
            lines.append(
                "\(row * 30)," + components.joined(separator: ",") + String(format: ",%.2f,%d", amount, fraud ? 1 : 0)
            )
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    private static let yaml = """
        name: fraud-banks-small
        seed: 3
        data: {csv: transactions.csv, label: label}
        positive_class: "1"
        pretrain:
          examples: 400
          arch: mlp:16
          training: {epochs: 5, batch_size: 64, learning_rate: 0.003}
        test_fraction: 0.25
        sites: 5
        partition: ranges
        column: time
        mix: {column: amount, share: 0.3}
        rounds: 4
        local:
          epochs: 1
          batch_size: 64
          learning_rate: 0.003
          sampling: oversample
          sampling_ratio: 0.2
          threshold_target: best_f1
        expect:
          min_pr_auc: 0.05
          beat_local_pr_auc: true
        """

    private func scenario(in folder: URL, yaml: String = Self.yaml) throws -> Scenario {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.writeTransactions(to: folder.appendingPathComponent("transactions.csv"))
        let file = folder.appendingPathComponent("fraud-banks-small.yaml")
        try Data(yaml.utf8).write(to: file)
        return try Scenario.load(file)
    }

    @Test func showsTheRareClassScoresOfEveryModelJudgesThemAndKeepsTheThreshold() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-fraud-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try self.scenario(in: folder)
        #expect(scenario.partition == .ranges(column: "time", mix: RangeMix(column: "amount", share: 0.3)))
        let run = folder.appendingPathComponent("run")

        let report = try Simulation(scenario: scenario, options: .init(output: run)).run()

        let summary = report.summary
        #expect(summary.sites.count == 5)
        // The time column splits the banks and is not a feature; amount is.
        #expect(summary.settings.contains { $0.value.contains("contiguous ranges of 'time'") })
        for baseline in summary.baselines {
            let rare = try #require(baseline.metrics.rareClass, "\(baseline.name) has no rare-class scores")
            #expect(rare.positiveClass == "1")
            for value in [rare.prAUC, rare.rocAUC, rare.recallAt1PercentFPR, rare.precision, rare.recall, rare.f1] {
                #expect(value.isFinite && (0...1).contains(value), "\(baseline.name)")
            }
        }
        // Each site alone and centralised training decide by a threshold chosen on held-out data.
        #expect(summary.baseline(.centralised)?.metrics.rareClass?.threshold != nil)
        #expect(summary.baseline(.sitesAloneMean)?.metrics.rareClass?.threshold == nil)
        let texts = summary.expectations.map(\.text)
        #expect(texts.contains("federated PR-AUC is at least 0.0500"))
        #expect(texts.contains("federated PR-AUC beats every site alone and their mean"))
        #expect(report.unchecked.isEmpty)

        // The federation's threshold: the last evaluation's example-weighted mean, in model.json too.
        let evaluations = try StateFolderReader.evaluations(run.appendingPathComponent("state"))
        let weighted = try #require(evaluations.last?.metrics["threshold"])
        let federated = try #require(summary.baseline(.federated)?.metrics.rareClass?.threshold)
        #expect(abs(federated - weighted) < 1e-12)
        guard case .tabular(let model) = try AnyClassifier.load(RunFolder(run).modelURL) else {
            Issue.record("the run's model is not a tabular model")
            return
        }
        #expect(model.decisionThreshold == federated)
        #expect(!model.architecture.featureNames.contains("time"))
        #expect(model.architecture.featureNames.contains("amount"))

        let console = ComparisonText.render(summary)
        #expect(console.contains("rare class '1'"))
        #expect(console.contains("PR-AUC  ROC-AUC  recall@1%FPR"))
        let html = try String(contentsOf: RunFolder(run).reportURL, encoding: .utf8)
        #expect(html.contains("Rare class: 1"))
        #expect(html.contains("Federated PR-AUC"))
        let decoded = try RunSummary.decode(from: Data(contentsOf: RunFolder(run).summaryURL))
        #expect(decoded.baseline(.federated)?.metrics.rareClass == summary.baseline(.federated)?.metrics.rareClass)
    }

    @Test func withSiteProcessesTheCoordinatorsFinalModelKeepsTheSitesWeightedThreshold() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-fraud-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        // recall_at_fpr: the sites must choose for the configured target, not best F1.
        let yaml = Self.yaml.replacingOccurrences(
            of: "threshold_target: best_f1",
            with: "threshold_target: recall_at_fpr\n  threshold_fpr: 0.05"
        )
        let scenario = try self.scenario(in: folder, yaml: yaml)
        let run = folder.appendingPathComponent("run")

        let report = try Simulation(
            scenario: scenario,
            // Checkpoints kept: the run folder would otherwise prune the coordinator's model folder.
            options: .init(output: run, baselines: false, processes: Repository.fedtune, keepCheckpoints: true)
        ).run()

        let state = run.appendingPathComponent("federation/state")
        let evaluations = try StateFolderReader.evaluations(state)
        let weighted = try #require(evaluations.last?.metrics["threshold"])
        guard case .tabular(let model) = try AnyClassifier.load(state.appendingPathComponent("model")) else {
            Issue.record("the coordinator's final model is not a tabular model")
            return
        }
        #expect(model.decisionThreshold == weighted)
        #expect(report.summary.baseline(.federated)?.metrics.rareClass?.threshold == weighted)
        guard case .tabular(let saved) = try AnyClassifier.load(RunFolder(run).modelURL) else { return }
        #expect(saved.decisionThreshold == weighted)
        // In process, the rounds train alike whatever the target, and only the threshold the
        // sites report follows it: recall at 5% FPR is not the best-F1 threshold.
        var bestF1 = scenario
        bestF1.local.thresholdTarget = .bestF1
        for (target, name) in [(scenario, "recall"), (bestF1, "f1")] {
            _ = try Simulation(
                scenario: target,
                options: .init(output: folder.appendingPathComponent(name), baselines: false)
            ).run()
        }
        let recall = try StateFolderReader.evaluations(folder.appendingPathComponent("recall/state"))
        let f1 = try StateFolderReader.evaluations(folder.appendingPathComponent("f1/state"))
        #expect(recall.map { $0.metrics["loss"] } == f1.map { $0.metrics["loss"] })
        let last = try #require(recall.last?.metrics["threshold"])
        #expect(last != f1.last?.metrics["threshold"])
    }

    @Test func refusesRareClassSettingsThatCannotWork() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-fraud-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(from: String, to: String, message: String)] = [
            ("positive_class: \"1\"\n", "", "need positive_class"),
            ("column: time\n", "", "partition ranges needs column"),
            ("share: 0.3}", "share: 2}", "mix.share must be in [0, 1], not 2.0"),
            ("min_pr_auc: 0.05", "min_pr_auc: 1.5", "expect.min_pr_auc must be in [0, 1], not 1.5"),
        ]
        for item in cases {
            let yaml = Self.yaml.replacingOccurrences(of: item.from, with: item.to)
            #expect(yaml != Self.yaml)
            #expect {
                try self.scenario(in: folder, yaml: yaml)
            } throws: { error in
                "\(error)".contains(item.message)
            }
        }
    }

    @Test func theFullScenarioFileLoads() throws {
        let scenario = try Scenario.load(
            SimulationTests.repository.appendingPathComponent("scenarios/fraud-banks.yaml")
        )
        #expect(scenario.sites == 5)
        #expect(scenario.positiveClass == "1")
        #expect(scenario.expectations.beatLocalPRAUC)
        guard case .ranges(column: let column, mix: let mix) = scenario.partition else {
            Issue.record("fraud-banks does not partition by ranges")
            return
        }
        #expect(column == "time")
        #expect(mix?.column == "amount")
    }
}

/// Reads a state folder's evaluations.jsonl the way the coordinator writes it.
enum StateFolderReader {
    static func evaluations(_ folder: URL) throws -> [EvaluationRecord] {
        let text = try String(contentsOf: folder.appendingPathComponent("evaluations.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONDecoder().decode(EvaluationRecord.self, from: Data($0.utf8))
        }
    }
}
