import FedLearning
import FedReport
import Foundation

extension RunSummary {
    /// The run's settings as the report's header lists them, in order: data, classes, sites,
    /// the global test set, the model's own settings (`setupSettings`), rounds and strategy
    /// (or DP-FedAvg's numbers), local training, how the sites ran, the seed and the run
    /// time (left out while the run has none).
    static func settingsList(
        scenario: Scenario,
        classNames: [String],
        sites: Int,
        setupSettings: [(key: String, value: String)],
        privacy: PrivacySummary?,
        training: TrainingConfiguration,
        testExamples: Int,
        mode: String,
        seconds: Double?
    ) -> [(String, String)] {
        var settings: [(String, String)] = [("data", Self.describe(scenario.data))]
        settings.append(("classes", classNames.joined(separator: ", ")))
        settings.append(("sites", "\(sites), \(Self.describe(scenario.partition))"))
        settings.append(("global test set", "\(testExamples) examples"))
        settings += setupSettings
        if let privacy {
            settings.append(
                (
                    "rounds",
                    "\(privacy.roundsRun) of DP-FedAvg"
                        + (privacy.endedByBudget ? " (\(scenario.rounds) asked; the privacy budget ended the run)" : "")
                )
            )
            settings.append(
                (
                    "privacy",
                    "(ε = \(PrivacySummary.epsilonText(privacy.epsilon)), δ = \(PrivacySummary.short(privacy.delta))) "
                        + "per site; z = \(String(format: "%.3g", privacy.noiseMultiplier)), "
                        + "C = \(PrivacySummary.short(privacy.clipNorm))\(privacy.adaptiveClipping ? " (adaptive)" : ""), "
                        + "q = \(PrivacySummary.short(privacy.sampleRate))"
                )
            )
        } else {
            settings.append(
                (
                    "rounds",
                    "\(scenario.rounds) of \(Self.strategyText(scenario.strategy))"
                        + (scenario.clipNorm.map { ", updates clipped to L2 ≤ \($0)" } ?? "")
                )
            )
        }
        settings.append(
            (
                "local training",
                "\(training.epochs) epoch(s) per round, batch \(training.batchSize), lr \(training.learningRate), "
                    + training.optimizer.kind.rawValue
                    + (training.proximalMu > 0 ? ", FedProx μ = \(training.proximalMu)" : "")
            )
        )
        if let positive = scenario.image?.positiveClass {
            settings.append(("screening for", "\(positive) (positive) vs the rest"))
        }
        if let weights = training.classWeights {
            settings.append(("class weights", weights.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
        }
        settings.append(("sites run as", mode))
        settings.append(("seed", "\(scenario.seed)"))
        if let seconds { settings.append(("run time", String(format: "%.0f s", seconds))) }
        return settings
    }
}
