import Foundation

/// The trials as text: a line per trial as it ends, and the table printed at the end and kept
/// as trials.txt.
package enum SweepTable {
    /// The finished trial with the best validation score (the lower number on a tie).
    package static func best(_ trials: [Trial]) -> Trial? {
        trials.filter { $0.status == .complete && $0.lastScore != nil }
            .max { a, b in a.lastScore! != b.lastScore! ? a.lastScore! < b.lastScore! : a.number > b.number }
    }

    static func score(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "—" }

    /// "trial 3  complete  10 rounds  0.8123  learning_rate=0.003 …  1.2 s"
    static func line(_ trial: Trial, space: SearchSpace) -> String {
        let settings = space.parameters.map { "\($0.key.rawValue)=\(self.value(trial, $0.key))" }.joined(separator: " ")
        let ending = trial.status == .failed ? "  \(trial.error ?? "")" : ""
        return
            "trial \(trial.number)  \(trial.status.rawValue)  \(trial.rounds) rounds  \(self.score(trial.lastScore))  "
            + settings + String(format: "  %.1f s", trial.seconds) + ending
    }

    static func value(_ trial: Trial, _ key: SweepKey) -> String {
        trial.values[key].map(SearchSpace.format) ?? "—"
    }

    /// The table of every trial, the best marked with `*`.
    package static func text(_ trials: [Trial], space: SearchSpace, best: Trial?) -> String {
        let keys = space.parameters.map(\.key)
        let header = ["trial", "status", "rounds", "score"] + keys.map(\.rawValue) + ["seconds"]
        var rows = [header]
        for trial in trials {
            let number = "\(trial.number)" + (trial.number == best?.number ? "*" : "")
            rows.append(
                [number, trial.status.rawValue, "\(trial.rounds)", self.score(trial.lastScore)]
                    + keys.map { self.value(trial, $0) } + [String(format: "%.1f", trial.seconds)]
            )
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = rows.map { row in
            row.indices.map { column in
                let cell = row[column]
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                // Numbers right-aligned, words left.
                return column == 1 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
        text += "\n\nscore: accuracy of the trial's global model on the sites' held-out data where it stopped"
        text += "\n(rounds: where it stopped; pruned trials stopped at a rung of successive halving)."
        if let best { text += "\n* best: trial \(best.number), \(self.score(best.lastScore))" }
        return text + "\n"
    }
}
