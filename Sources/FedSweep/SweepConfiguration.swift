import FedSimulation
import Foundation

/// What `fedtune sweep` was asked: the scenario, the space, the folder, how many trials and
/// how they are sampled, pruned and run.
package struct SweepConfiguration: Sendable {
    package var scenario: URL
    package var space: URL
    /// The sweep folder: trials.jsonl, trials/, trials.txt, report.html, best.yaml, best-run/.
    package var folder: URL
    /// Trials in all, counting those a resumed sweep found done.
    package var trials: Int
    /// Trials run at once, each an in-process federation.
    package var parallel = 1
    /// The sampler's seed; nil takes the scenario's.
    package var seed: UInt64?
    package var sampler = TPESampler.Settings()
    /// η of successive halving.
    package var reductionFactor = 3
    /// r of successive halving; nil takes R / η².
    package var minimumRounds: Int?
    /// Start at most this many new trials, then stop as if interrupted (to test resuming).
    package var stopAfter: Int?
    /// Run the best settings once more at the end, scoring the global test set.
    package var finalRun = true
    /// The fetch cache for named datasets and models.
    package var cache: URL?
    /// Set (Ctrl-C), running trials stop after their round in progress and no new ones start;
    /// the stopped trials run again when the sweep is resumed.
    package var interruption: Interruption?

    package init(scenario: URL, space: URL, folder: URL, trials: Int) {
        self.scenario = scenario
        self.space = space
        self.folder = folder
        self.trials = trials
    }
}

/// sweep.json: what a sweep folder's trials were drawn with, so a resumed sweep refuses
/// settings that would make its trials mean something else.
struct SweepManifest: Codable, Equatable {
    var scenario: String
    var space: String
    var seed: UInt64
    var halving: SuccessiveHalving
    var startupTrials: Int
    var candidates: Int
    var gamma: Double

    /// The first field that differs from `other`, in words; nil when they match.
    func difference(from other: SweepManifest) -> String? {
        if self.scenario != other.scenario { return "the scenario file's text differs" }
        if self.space != other.space { return "the search space differs" }
        if self.seed != other.seed { return "the seed differs (\(other.seed) before, \(self.seed) now)" }
        if self.halving != other.halving { return "the successive-halving rungs differ" }
        if self.startupTrials != other.startupTrials || self.candidates != other.candidates
            || self.gamma != other.gamma
        {
            return "the sampler's settings differ"
        }
        return nil
    }
}
