import Foundation
import Synchronization

/// The trials of a running sweep, shared by the threads that run them: which trial starts
/// next with which settings, the scores each rung has seen, and trials.jsonl, written under
/// the same lock so its lines follow the order of the decisions.
final class SweepBook: Sendable {
    private struct State {
        var trials: [Int: Trial]
        /// Trials a killed sweep left running, to run again with their settings.
        var unfinished: [Int]
        var next: Int
        var started = 0
        var fatal: SweepError?
    }

    private let state: Mutex<State>
    private let log: TrialLog
    private let sampler: TPESampler
    private let halving: SuccessiveHalving
    private let total: Int
    private let stopAfter: Int?

    init(trials: [Trial], log: TrialLog, sampler: TPESampler, halving: SuccessiveHalving, total: Int, stopAfter: Int?) {
        let byNumber = Dictionary(uniqueKeysWithValues: trials.map { ($0.number, $0) })
        let unfinished = trials.filter { $0.status == .running }.map(\.number).sorted()
        self.state = Mutex(
            State(trials: byNumber, unfinished: unfinished, next: (trials.map(\.number).max() ?? -1) + 1)
        )
        self.log = log
        self.sampler = sampler
        self.halving = halving
        self.total = total
        self.stopAfter = stopAfter
    }

    /// The next trial to run, recorded as running; nil when the sweep has as many as it was
    /// asked for, may start no more (`stopAfter`, an interruption), or has failed.
    func claim(interrupted: Bool) -> Trial? {
        self.state.withLock { state -> Trial? in
            guard state.fatal == nil, !interrupted else { return nil }
            if let limit = self.stopAfter, state.started >= limit { return nil }
            var trial: Trial
            if !state.unfinished.isEmpty {
                // Run again from the start: the rung scores of its first attempt are dropped.
                trial = state.trials[state.unfinished.removeFirst()]!
                trial.scores = []
            } else {
                guard state.next < self.total else { return nil }
                let observations = state.trials.keys.sorted().compactMap {
                    state.trials[$0]!.observation(rungs: self.halving.rungs)
                }
                // Kept as the scenario file writes them (6 significant digits), so the record is what ran.
                let values = self.sampler.suggest(number: state.next, observations: observations)
                    .mapValues { Double(SearchSpace.format($0)) ?? $0 }
                trial = Trial(number: state.next, settings: values)
                state.next += 1
            }
            state.started += 1
            state.trials[trial.number] = trial
            do throws(SweepError) {
                try self.log.append(trial)
            } catch {
                state.fatal = error
                return nil
            }
            return trial
        }
    }

    /// Records `trial`'s score after `round` rounds; whether it goes on (always, off a rung).
    func report(_ number: Int, round: Int, score: Double) -> Bool {
        self.state.withLock { state in
            state.trials[number]?.scores.append(Trial.Score(round: round, score: score))
            guard self.halving.rungs.contains(round) else { return true }
            let competing = state.trials.values.filter { $0.status != .failed }.compactMap { $0.score(at: round) }
            return SuccessiveHalving.promotes(score, among: competing, reductionFactor: self.halving.reductionFactor)
        }
    }

    /// Records how a trial ended and appends it to trials.jsonl.
    func finish(_ trial: Trial) {
        self.state.withLock { state in
            state.trials[trial.number] = trial
            do throws(SweepError) {
                try self.log.append(trial)
            } catch {
                state.fatal = error
            }
        }
    }

    /// Every trial by number, and the first error that stopped the sweep.
    var snapshot: (trials: [Trial], fatal: SweepError?) {
        self.state.withLock { state in (state.trials.keys.sorted().map { state.trials[$0]! }, state.fatal) }
    }
}
