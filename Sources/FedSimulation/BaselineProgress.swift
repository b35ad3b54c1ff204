import FedLearning
import Foundation

/// Progress through the baselines, which can take longer than the federation: each line a
/// baseline logs when it finishes gets how many of them are done, the time elapsed, the
/// rate and the time left ("baseline 3/12 · 1 min 05 s elapsed · 0.046 baseline/s · 3 min 15 s left").
final class BaselineProgress {
    private let total: Int
    private let progress = ProgressLine(unit: "baseline")
    private var done = 0
    private let log: (String) -> Void

    /// `total`: the baselines that will run (each site alone, centralised, the probe).
    init(total: Int, log: @escaping (String) -> Void) {
        self.total = total
        self.log = log
    }

    /// A log that counts each line as one finished baseline.
    var counting: (String) -> Void {
        { line in
            self.done += 1
            self.log("\(line) — baseline \(self.progress.text(done: self.done, of: self.total))")
        }
    }
}
