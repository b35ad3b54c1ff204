/// Asynchronous successive halving on rounds (ASHA; Li et al. 2020, as Optuna's
/// `SuccessiveHalvingPruner`): rungs at r, r·η, r·η², … rounds below the scenario's rounds. A
/// trial reaching a rung reports its validation score there and goes on only if the score is
/// among the top 1/η of every score reported at that rung so far (its own included); the
/// first trials at a rung, fewer than η, go on only if they are the best so far.
package struct SuccessiveHalving: Sendable, Equatable, Codable {
    /// r: rounds at the first rung.
    package var minimumRounds: Int
    /// η: the share promoted is 1/η, and each rung has η times the rounds of the one before.
    package var reductionFactor: Int
    /// R: the scenario's rounds, where a trial that passed every rung finishes.
    package var maximumRounds: Int

    /// `minimumRounds` defaults to R / η² (at least 1), so a scenario gets two or three rungs.
    package init(maximumRounds: Int, reductionFactor: Int = 3, minimumRounds: Int? = nil) {
        self.maximumRounds = maximumRounds
        self.reductionFactor = max(reductionFactor, 2)
        self.minimumRounds = minimumRounds ?? max(1, maximumRounds / (self.reductionFactor * self.reductionFactor))
    }

    /// The rounds after which a trial is judged: r·η^k for every k with r·η^k < R.
    package var rungs: [Int] {
        var rungs: [Int] = []
        var rounds = max(self.minimumRounds, 1)
        while rounds < self.maximumRounds {
            rungs.append(rounds)
            let (next, overflow) = rounds.multipliedReportingOverflow(by: self.reductionFactor)
            if overflow { break }
            rounds = next
        }
        return rungs
    }

    /// Whether `score` goes on past a rung where `scores` were reported (its own among them):
    /// it must be at least the ⌊n/η⌋-th best, or the best while fewer than η have reported.
    package static func promotes(_ score: Double, among scores: [Double], reductionFactor: Int) -> Bool {
        let ranked = scores.map { $0.isNaN ? -Double.infinity : $0 }.sorted(by: >)
        guard !ranked.isEmpty else { return true }
        let index = max(ranked.count / reductionFactor - 1, 0)
        return (score.isNaN ? -Double.infinity : score) >= ranked[index]
    }
}
