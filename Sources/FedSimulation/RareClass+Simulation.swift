import FedLearning
import FedReport
import Foundation

extension RareClassSummary {
    /// A two-class model's rare-class scores as the report shows them, its positive class by name.
    init(_ binary: BinaryMetrics, positiveClass: String) {
        self.init(
            positiveClass: positiveClass,
            prAUC: binary.averagePrecision,
            rocAUC: binary.rocAUC,
            recallAt1PercentFPR: binary.recallAtLowFalsePositiveRate,
            precision: binary.precision,
            recall: binary.recall,
            f1: binary.f1,
            threshold: binary.threshold,
            positives: binary.positives,
            truePositives: binary.truePositives,
            falsePositives: binary.falsePositives
        )
    }
}

extension MetricsSummary {
    /// A model's score as the report shows it, with its rare-class scores when it has them.
    init(scored score: Score) {
        self.init(score)
        if let binary = score.binary, let positive = score.screening?.positiveClass {
            let names = score.metrics.classNames
            let name = names.indices.contains(positive) ? names[positive] : "class \(positive)"
            self.rareClass = RareClassSummary(binary, positiveClass: name)
        }
    }
}

extension RunResults {
    /// The sites-alone mean, with the mean of their rare-class scores when every site has them.
    var sitesAloneMeanWithRareClass: MetricsSummary? {
        guard var mean = self.sitesAloneMean, let alone = self.sitesAlone else { return nil }
        let rare = alone.map { MetricsSummary(scored: $0.test).rareClass }
        if rare.allSatisfy({ $0 != nil }) { mean.rareClass = RareClassSummary.mean(rare.compactMap { $0 }) }
        return mean
    }
}

/// The console's rare-class block: every model, each site alone included, read for the
/// positive class (PR-AUC, ROC-AUC, recall at 1% FPR, precision, recall, F1, threshold).
enum RareClassText {
    static func lines(for baselines: [BaselineResult]) -> [String] {
        let scored = baselines.filter { $0.metrics.rareClass != nil }
        guard let positive = scored.first?.metrics.rareClass?.positiveClass else { return [] }
        let width = max(28, (scored.map(\.name.count).max() ?? 0) + 2)
        func cell(_ value: Double?, _ width: Int) -> String {
            let text = value.flatMap { $0.isFinite ? String(format: "%.4f", $0) : nil } ?? "—"
            return String(repeating: " ", count: max(0, width - text.count)) + text
        }
        var lines = [
            "",
            "rare class '\(positive)'".padding(toLength: width, withPad: " ", startingAt: 0)
                + "  PR-AUC  ROC-AUC  recall@1%FPR  precision   recall       F1  threshold",
        ]
        for baseline in scored {
            let rare = baseline.metrics.rareClass!
            let name =
                baseline.name.count >= width
                ? baseline.name + " "
                : baseline.name.padding(
                    toLength: width,
                    withPad: " ",
                    startingAt: 0
                )
            let threshold =
                rare.threshold.map { String(format: "%.4f", $0) } ?? (rare.positives == nil ? "—" : "argmax")
            lines.append(
                name + cell(rare.prAUC, 8) + cell(rare.rocAUC, 9) + cell(rare.recallAt1PercentFPR, 14)
                    + cell(rare.precision, 11) + cell(rare.recall, 9) + cell(rare.f1, 9)
                    + String(repeating: " ", count: max(0, 11 - threshold.count)) + threshold
            )
        }
        return lines
    }
}
