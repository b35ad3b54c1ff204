import FedCoordinator
import FedData
import FedLearning
import FedTensor
import Foundation

/// `fedtune simulate`: a whole federation on one machine, next to the baselines a
/// researcher asks for first — the pretrained model as it is, and each site fine-tuning
/// alone — all scored on one held-out global test set.
package struct Simulation {
    package struct Options: Sendable {
        /// Where the final model and the per-round records go; nil keeps nothing.
        package var output: URL?
        package var baselines = true
        /// The fedtune binary to start site and coordinator processes with; nil runs the
        /// sites in this process over an in-memory transport.
        package var processes: URL?
        package init(output: URL? = nil, baselines: Bool = true, processes: URL? = nil) {
            self.output = output
            self.baselines = baselines
            self.processes = processes
        }
    }

    package struct Report: Sendable, Codable, Equatable {
        package var scenario: String
        package var sites: Int
        package var pretrainedAccuracy: Double
        /// Mean over sites of each site's fine-tuned-alone accuracy (nil when skipped).
        package var localAccuracy: Double?
        package var federatedAccuracy: Double
        package var federatedMacroF1: Double
        package var rounds: [InProcessFederation.Round]
        /// Expectations that did not hold.
        package var failures: [String]
    }

    package let scenario: Scenario
    package let options: Options

    package init(scenario: Scenario, options: Options) {
        self.scenario = scenario
        self.options = options
    }

    package func run(onRound: (InProcessFederation.Round) -> Void = { _ in }) throws -> Report {
        let setup = try SimulationSetup(self.scenario)
        let pretrained = setup.score(setup.pretrained).accuracy
        let base = setup.pretrained.parameters.values()
        let local = self.options.baselines ? try self.localOnly(setup) : nil
        try setup.pretrained.parameters.load(base, requireAll: true, source: "pretrained")
        let (model, rounds): (Classifier, [InProcessFederation.Round])
        if let executable = self.options.processes {
            let folder = (self.options.output ?? FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-simulate-\(UUID())"))
                .appendingPathComponent("federation")
            (model, rounds) = try ProcessFederation(scenario: self.scenario, setup: setup, executable: executable, folder: folder)
                .run(onRound: onRound)
            if self.options.output == nil { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        } else {
            let state = self.options.output.map { StateFolder($0.appendingPathComponent("state")) }
            (model, rounds) = try InProcessFederation(scenario: self.scenario, setup: setup, state: state).run(onRound: onRound)
        }
        let final = setup.score(model)
        if let output = self.options.output {
            try ModelFolder.save(model, to: output.appendingPathComponent("model"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let lines = try rounds.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n")
            try AtomicFile.write(Data((lines + "\n").utf8), to: output.appendingPathComponent("rounds.jsonl"))
        }
        var report = Report(
            scenario: self.scenario.name, sites: setup.siteNames.count, pretrainedAccuracy: pretrained,
            localAccuracy: local, federatedAccuracy: final.accuracy, federatedMacroF1: final.macroF1, rounds: rounds,
            failures: [])
        report.failures = self.check(report)
        return report
    }

    /// Each site fine-tunes the pretrained model alone for as many epochs as the
    /// federation gives it in total; the mean of their test accuracies.
    private func localOnly(_ setup: SimulationSetup) throws -> Double {
        let model = setup.pretrained
        let base = model.parameters.values()
        var configuration = self.scenario.local
        configuration.epochs = self.scenario.local.epochs * self.scenario.rounds
        var total = 0.0
        for (index, data) in setup.siteData.enumerated() {
            try model.parameters.load(base, requireAll: true, source: "pretrained")
            configuration.seed = self.scenario.seed &+ UInt64(index)
            _ = try Trainer(configuration: configuration).fit(model, train: data)
            total += setup.score(model).accuracy
        }
        return total / Double(Swift.max(setup.siteData.count, 1))
    }

    private func check(_ report: Report) -> [String] {
        let expect = self.scenario.expectations
        var failures: [String] = []
        if let minimum = expect.minimumAccuracy, report.federatedAccuracy < minimum {
            failures.append(String(format: "federated accuracy %.4f is below min_accuracy %.4f", report.federatedAccuracy, minimum))
        }
        if expect.beatPretrained, report.federatedAccuracy <= report.pretrainedAccuracy {
            failures.append(String(format: "federated %.4f does not beat the pretrained model's %.4f",
                                   report.federatedAccuracy, report.pretrainedAccuracy))
        }
        if expect.beatLocal, let local = report.localAccuracy, report.federatedAccuracy <= local {
            failures.append(String(format: "federated %.4f does not beat the sites alone (mean %.4f)", report.federatedAccuracy, local))
        }
        return failures
    }
}
