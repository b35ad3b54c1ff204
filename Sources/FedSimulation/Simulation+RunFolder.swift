import FedCoordinator
import FedLearning
import FedReport
import FedRounds
import Foundation

extension Simulation {
    /// What the summary needs of each site: its name, data sizes, labels and a few images.
    static func siteFacts<Model: SimulatedModel>(_ setup: SimulationSetup<Model>) -> [RunSummary.SiteFacts] {
        setup.sites.map {
            .init(
                name: $0.name,
                train: $0.train.count,
                heldOut: $0.heldOut.count,
                classCounts: Self.counts($0.train, setup.classNames.count),
                examples: RunSummary.exampleImages(of: $0.train)
            )
        }
    }

    /// Training examples per class, in class order.
    static func counts(_ examples: some LabeledExamples, _ classes: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: classes)
        for label in examples.labels { counts[label] += 1 }
        return counts
    }

    /// The summary as it stands when the federation starts, for run.json: the settings,
    /// the sites and their label counts, the environment and the resolved configuration; no
    /// rounds, and not finished.
    func startSummary<Model: SimulatedModel>(
        _ setup: SimulationSetup<Model>,
        training: TrainingConfiguration,
        mode: String,
        started: Date,
        environment: RunEnvironment
    ) -> RunSummary {
        let settings = RunSummary.settingsList(
            scenario: self.scenario, classNames: setup.classNames, sites: setup.sites.count,
            setupSettings: setup.settings, privacy: nil, training: training, testExamples: setup.test.count,
            mode: mode, seconds: nil)
        var summary = RunSummary(
            scenario: self.scenario.name,
            description: self.scenario.description,
            date: RunSummary.isoDate(started),
            settings: settings.map { RunSummary.Setting(key: $0.0, value: $0.1) },
            classNames: setup.classNames,
            sites: Self.siteFacts(setup).map {
                SiteSummary(name: $0.name, trainExamples: $0.train, testExamples: $0.heldOut, classCounts: $0.classCounts)
            },
            notes: setup.notes
        )
        summary.roundsAsked = self.scenario.rounds
        summary.finished = false
        summary.environment = environment
        summary.configuration = self.scenario.configuration(training: training, classNames: setup.classNames)
        return summary
    }

    /// The global model now in `setup.model` on each site's held-out data (the shells leave
    /// the round's global model there when they report a round).
    static func heldOutScores<Model: SimulatedModel>(_ setup: SimulationSetup<Model>)
        -> [String: SimulationRound.HeldOutScore]
    {
        var scores: [String: SimulationRound.HeldOutScore] = [:]
        for site in setup.sites where site.heldOut.count > 0 {
            let score = Score(setup.model, site.heldOut)
            scores[site.name] = .init(accuracy: score.accuracy, loss: score.loss, examples: site.heldOut.count)
        }
        return scores
    }

    /// The federated evaluations the coordinator recorded in `folder`'s state, if any.
    static func evaluations(in folder: RunFolder?) -> [EvaluationRecord] {
        guard let folder else { return [] }
        for state in folder.stateFolders {
            if let records = try? state.evaluations(), !records.isEmpty { return records }
        }
        return []
    }
}
