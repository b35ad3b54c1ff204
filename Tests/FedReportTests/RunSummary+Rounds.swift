@testable import FedReport

extension RunSummary {
    /// The sample with what a round records per site: every site's training metrics, update
    /// norm and clip factor (site 2 clipped), held-out accuracy, the bytes with the base
    /// model sent in round 1 only, the seconds, and site 3 failing in round 2.
    static func roundsSample(rounds: Int = 5, classes: Int = 4, sites: Int = 4) -> RunSummary {
        var summary = RunSummary.sample(rounds: rounds, classes: classes, sites: sites)
        for index in summary.rounds.indices {
            let round = summary.rounds[index].round
            summary.rounds[index].baseModelBytes = round == 1 ? sites * 1_000_000 : 0
            summary.rounds[index].trainableBytes = sites * 50_000
            summary.rounds[index].updateBytes = sites * 40_000
            summary.rounds[index].bytesSent = summary.rounds[index].baseModelBytes! + sites * 90_000
            summary.rounds[index].seconds = 2 + Double(round) / 10
            summary.rounds[index].sites = summary.sites.enumerated().map { site, facts in
                if round == 2 && site == 3 {
                    return RoundSite(name: facts.name, reported: false, failure: "late: the deadline passed")
                }
                return RoundSite(
                    name: facts.name,
                    reported: true,
                    examples: facts.trainExamples,
                    trainLoss: 1.0 / Double(round + site),
                    trainAccuracy: 0.5 + 0.05 * Double(round),
                    updateNorm: 2.0 / Double(round),
                    clipScale: site == 2 ? 0.5 : 1,
                    heldOutAccuracy: 0.6 + 0.04 * Double(round)
                )
            }
        }
        return summary
    }
}
