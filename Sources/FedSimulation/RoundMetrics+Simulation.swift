import FedReport
import FedRounds

extension RoundMetrics {
    /// The report's row for one simulated round: the global test set's scores, the bytes
    /// and seconds the coordinator recorded, each sampled site's part (its training metrics,
    /// update norm, clip factor and held-out score, or why it failed), and the sites' own
    /// weighted evaluation (`evaluation`, from evaluations.jsonl) when there is one.
    init(_ round: SimulationRound, classNames: [String], evaluation: EvaluationRecord?) {
        let record = round.record
        self.init(
            round: round.round,
            accuracy: round.testAccuracy,
            loss: round.testLoss,
            macroF1: round.testMacroF1,
            meanSiteTrainLoss: round.sites > 0 ? round.trainLoss : nil,
            bytesSent: round.bytes,
            updateBytes: record.bytes?.updates,
            screening: round.testScreening.map { ScreeningSummary($0, classNames: classNames) },
            baseModelBytes: record.bytes?.baseModel,
            trainableBytes: record.bytes?.trainable,
            seconds: record.seconds,
            meanSiteTrainAccuracy: round.trainAccuracy,
            sitesHeldOutAccuracy: evaluation?.metrics["accuracy"],
            sites: Self.sites(of: round)
        )
    }

    /// Every site sampled in the round, in name order: those counted and those that failed.
    static func sites(of round: SimulationRound) -> [RoundSite] {
        let record = round.record
        let names = Set(record.sites).union(record.failures.keys).sorted()
        return names.map { name in
            let held = round.siteHeldOut[name]
            guard record.sites.contains(name) else {
                return RoundSite(
                    name: name, reported: false, failure: record.failures[name], heldOutAccuracy: held?.accuracy,
                    heldOutLoss: held?.loss)
            }
            return RoundSite(
                name: name,
                reported: true,
                examples: record.siteExamples?[name] ?? round.siteResults.first { $0.site == name }?.examples,
                trainLoss: round.trainMetric("loss", of: name),
                trainAccuracy: round.trainMetric("accuracy", of: name),
                updateNorm: record.updateNorms?[name],
                clipScale: record.clipScales[name],
                heldOutAccuracy: held?.accuracy,
                heldOutLoss: held?.loss
            )
        }
    }
}
