import FedSupport
import Foundation

/// One trial of a sweep: its settings, the validation score it reported at each rung, and how
/// it ended. A line of trials.jsonl holds a trial whole; the last line for a number counts.
package struct Trial: Sendable, Codable, Equatable {
    package enum Status: String, Sendable, Codable {
        /// Started and not finished: a resumed sweep runs it again with the same settings.
        case running
        /// Stopped at a rung where it was not among the best.
        case pruned
        /// Ran every round of the scenario.
        case complete
        /// Its federation failed; `error` says why.
        case failed
    }

    /// The validation score after a number of rounds.
    package struct Score: Sendable, Codable, Equatable {
        package var round: Int
        package var score: Double
    }

    package var number: Int
    /// Setting name (`SweepKey`'s raw value) → value.
    package var settings: [String: Double]
    package var status: Status
    /// At each rung it reached, and at its last round when it finished.
    package var scores: [Score] = []
    package var seconds: Double = 0
    package var error: String?

    package init(number: Int, settings: [SweepKey: Double]) {
        self.number = number
        self.settings = Dictionary(uniqueKeysWithValues: settings.map { ($0.key.rawValue, $0.value) })
        self.status = .running
    }

    /// The settings keyed by `SweepKey` (names the space does not know are dropped).
    package var values: [SweepKey: Double] {
        Dictionary(
            uniqueKeysWithValues: self.settings.compactMap { key, value in SweepKey(rawValue: key).map { ($0, value) } }
        )
    }

    /// Its score where it stopped; nil before its first rung.
    package var lastScore: Double? { self.scores.last?.score }
    /// Rounds it ran.
    package var rounds: Int { self.scores.last?.round ?? 0 }

    /// The score it reported after `round` rounds, if it got there.
    package func score(at round: Int) -> Double? { self.scores.first { $0.round == round }?.score }

    /// What the sampler learns from it: rungs passed and score where it stopped (nil while running or failed).
    func observation(rungs: [Int]) -> Observation? {
        switch self.status {
        case .running, .failed: return nil
        case .complete:
            return Observation(values: self.values, depth: rungs.count + 1, score: self.lastScore ?? -.infinity)
        case .pruned:
            let depth = rungs.filter { self.score(at: $0) != nil }.count
            return Observation(values: self.values, depth: depth, score: self.lastScore ?? -.infinity)
        }
    }
}

/// trials.jsonl in a sweep folder: appended and synced a line per change of a trial, so a
/// killed sweep keeps every trial that finished.
package struct TrialLog: Sendable {
    package let url: URL

    package init(_ url: URL) { self.url = url }

    /// Every trial, by number, as its last line left it; an empty list when the file is missing.
    package func read() throws(SweepError) -> [Trial] {
        guard FileManager.default.fileExists(atPath: self.url.path) else { return [] }
        guard let data = try? Data(contentsOf: self.url), let text = String(data: data, encoding: .utf8) else {
            throw .folder(path: self.url.path, detail: "trials.jsonl cannot be read as UTF-8 text")
        }
        var trials: [Int: Trial] = [:]
        let decoder = JSONDecoder()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let trial = try? decoder.decode(Trial.self, from: Data(line.utf8)) else {
                // A sweep killed in the middle of a write leaves a partial last line; it is that trial's
                // earlier state that counts.
                if index >= text.split(separator: "\n", omittingEmptySubsequences: false).count - 2 { continue }
                throw .folder(path: self.url.path, detail: "line \(index + 1) of trials.jsonl is not a trial record")
            }
            trials[trial.number] = trial
        }
        return trials.keys.sorted().map { trials[$0]! }
    }

    /// Appends a trial's current state.
    package func append(_ trial: Trial) throws(SweepError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            var data = try encoder.encode(trial)
            data.append(0x0A)
            try AtomicFile.append(data, to: self.url)
        } catch {
            throw .folder(path: self.url.path, detail: "trial \(trial.number) could not be appended: \(error)")
        }
    }
}
