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

/// A redrawn progress bar on a terminal, and one plain line per epoch when the output
/// is a file or a pipe (so logs stay readable).
package struct ConsoleProgress: ProgressReporter {
    private let isTerminal: Bool

    package init() {
        self.isTerminal = isatty(STDERR_FILENO) == 1
    }

    package func batchFinished(epoch: Int, of epochs: Int, batch: Int, of batches: Int, loss: Float) {
        guard self.isTerminal, batch % 4 == 0 || batch == batches else { return }
        let width = 30
        let filled = batches == 0 ? width : width * batch / batches
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "\repoch %d/%d %@ %d/%d loss %.4f", epoch, epochs, bar, batch, batches, loss)
        FileHandle.standardError.write(Data(line.utf8))
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
        let prefix = self.isTerminal ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data((prefix + line + "\n").utf8))
    }
}
