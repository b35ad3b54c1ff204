import Foundation

/// Receives training progress; the trainer never prints by itself.
package protocol ProgressReporter {
    func batchFinished(epoch: Int, of epochs: Int, batch: Int, of batches: Int, loss: Float)
    func epochFinished(_ record: EpochRecord, of epochs: Int)
}

/// Reports nothing (tests, federated sites that log instead).
package struct SilentProgress: ProgressReporter {
    package init() {}
    package func batchFinished(epoch: Int, of epochs: Int, batch: Int, of batches: Int, loss: Float) {}
    package func epochFinished(_ record: EpochRecord, of epochs: Int) {}
}

/// How far a long task has come: done of total, the elapsed time, the rate and the time
/// left at that rate, as one short phrase ("120/400 · 35 s · 3.4/s · 1 min 22 s left").
package struct ProgressLine: Sendable {
    package var started: Date
    /// What one unit is called in the rate ("batch", "example").
    package var unit: String

    package init(started: Date = Date(), unit: String) {
        self.started = started
        self.unit = unit
    }

    /// The phrase for `done` of `total` at `now`; the rate and time left once anything is done.
    package func text(done: Int, of total: Int, now: Date = Date()) -> String {
        let elapsed = now.timeIntervalSince(self.started)
        var parts = ["\(done)/\(total)", "\(Self.duration(elapsed)) elapsed"]
        if done > 0, elapsed > 0 {
            let rate = Double(done) / elapsed
            parts.append(String(format: rate >= 10 ? "%.0f %@/s" : "%.2g %@/s", rate, self.unit))
            if total > done { parts.append("\(Self.duration(Double(total - done) / rate)) left") }
        }
        return parts.joined(separator: " · ")
    }

    /// Seconds as "42 s", "3 min 05 s" or "1 h 02 min".
    package static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "—" }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
        return String(format: "%d h %02d min", whole / 3600, whole % 3600 / 60)
    }
}

/// A redrawn progress bar on a terminal, and one plain line per epoch when the output
/// is a file or a pipe (so logs stay readable); both say the time elapsed, the rate and
/// the time left.
package struct ConsoleProgress: ProgressReporter {
    private let isTerminal: Bool
    private let progress: ProgressLine

    /// Starts the clock: make it as training starts.
    package init() {
        self.isTerminal = isatty(STDERR_FILENO) == 1
        self.progress = ProgressLine(unit: "batch")
    }

    package func batchFinished(epoch: Int, of epochs: Int, batch: Int, of batches: Int, loss: Float) {
        guard self.isTerminal, batch % 4 == 0 || batch == batches else { return }
        let width = 30
        let filled = batches == 0 ? width : width * batch / batches
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "\r\u{1B}[Kepoch %d/%d %@ %d/%d loss %.4f", epoch, epochs, bar, batch, batches, loss)
        // Over the whole run: batches done of all epochs' batches.
        let overall = self.progress.text(done: (epoch - 1) * batches + batch, of: epochs * batches)
        FileHandle.standardError.write(Data((line + " · " + overall).utf8))
    }

    package func epochFinished(_ record: EpochRecord, of epochs: Int) {
        var line = String(
            format: "epoch %d/%d  loss %.4f  acc %.4f",
            record.epoch,
            epochs,
            record.trainLoss,
            record.trainAccuracy
        )
        if let loss = record.validationLoss, let accuracy = record.validationAccuracy {
            line += String(format: "  val_loss %.4f  val_acc %.4f", loss, accuracy)
        }
        line += String(format: "  lr %.2e  %.2fs", record.learningRate, record.seconds)
        let elapsed = Date().timeIntervalSince(self.progress.started)
        line += "  elapsed \(ProgressLine.duration(elapsed))"
        if record.epoch < epochs {
            line += ", \(ProgressLine.duration(elapsed / Double(record.epoch) * Double(epochs - record.epoch))) left"
        }
        let prefix = self.isTerminal ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data((prefix + line + "\n").utf8))
    }
}
