import FedSimulation
import Foundation
import Synchronization

extension Sweep {
    /// The score a sweep maximises: the round's global model on every site's held-out data,
    /// pooled (correct answers over held-out examples). Each site holds out a share of its data
    /// (`site_test_fraction`) that no training sees, as a real federation would for federated
    /// evaluation; the global test set is kept for the best trial alone.
    package static func validationScore(_ round: SimulationRound) -> Double? {
        let examples = round.siteHeldOut.values.reduce(0) { $0 + $1.examples }
        guard examples > 0 else { return nil }
        return round.siteHeldOut.values.reduce(0) { $0 + $1.accuracy * Double($1.examples) } / Double(examples)
    }

    /// The file name of a trial's scenario in trials/.
    static func scenarioName(_ number: Int) -> String { String(format: "%04d.yaml", number) }

    /// Runs one trial's federation, reporting its score at every rung and stopping it at the
    /// first rung where it is not promoted. A trial stopped by an interruption stays `running`.
    func run(_ trial: Trial, book: SweepBook) -> Trial {
        var trial = trial
        let started = Date()
        let url = self.trialsFolder.appendingPathComponent(Self.scenarioName(trial.number))
        // What the round callback decides; the federation runs on this thread, so the lock is uncontended.
        let pruned = Mutex(false)
        do {
            let text = try self.rewrite.text(
                with: trial.values,
                header: ["fedtune sweep: trial \(trial.number) of \(self.configuration.scenario.path)"]
            )
            try self.write(text, to: url)
            let scenario: Scenario
            do {
                scenario = try Scenario.load(url)
            } catch {
                throw SweepError.trial(number: trial.number, detail: "its settings make no valid scenario: \(error)")
            }
            let stop = Interruption()
            let simulation = Simulation(
                scenario: scenario,
                options: .init(baselines: false, cache: self.configuration.cache, interruption: stop)
            )
            let rounds = self.halving.maximumRounds
            var problem: SweepError?
            _ = try simulation.run(onRound: { row in
                guard let score = Self.validationScore(row) else {
                    problem = .trial(number: trial.number, detail: "round \(row.round) scored no site's held-out data")
                    stop.request()
                    return
                }
                let goesOn = book.report(trial.number, round: row.round, score: score)
                trial.scores.append(.init(round: row.round, score: score))
                if !goesOn {
                    pruned.withLock { $0 = true }
                    stop.request()
                } else if row.round < rounds, self.configuration.interruption?.isRequested == true {
                    stop.request()
                }
            })
            if let problem { throw problem }
            // Only rung scores and the last round's are kept.
            trial.scores = trial.scores.filter { self.halving.rungs.contains($0.round) || $0.round == trial.rounds }
            if pruned.withLock({ $0 }) {
                trial.status = .pruned
            } else if trial.rounds == rounds {
                trial.status = .complete
            }
        } catch {
            trial.status = .failed
            trial.error = "\(error)"
        }
        trial.seconds = Date().timeIntervalSince(started)
        return trial
    }
}
