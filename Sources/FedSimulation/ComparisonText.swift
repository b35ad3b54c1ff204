import FedReport
import Foundation

/// The end of a run as plain text for the terminal: every model on the global test set,
/// the privacy spent (under DP-FedAvg), each site's own held-out data, the worst site and
/// the expectations.
package enum ComparisonText {
    /// The per-round table's header and one row (printed as rounds close).
    package static let roundHeader = "round  sites  examples  train loss  test acc  test loss  test macro-F1  seconds"

    package static func roundRow(_ row: SimulationRound) -> String {
        String(
            format: "%5d  %5d  %8d  %10.4f  %8.4f  %9.4f  %13.4f  %7.1f",
            row.round,
            row.sites,
            row.examples,
            row.trainLoss,
            row.testAccuracy,
            row.testLoss,
            row.testMacroF1,
            row.seconds
        )
    }

    package static func render(_ summary: RunSummary) -> String {
        var lines: [String] = []
        let test = summary.baseline(.federated)?.metrics.confusion.reduce(0) { $0 + $1.reduce(0, +) } ?? 0
        lines.append(
            "scenario \(summary.scenario): \(summary.sites.count) sites, scored on the global test set (\(test) examples)"
        )
        let shown = summary.baselines.filter { $0.kind != .siteAlone }
        let width = max(28, (shown.map(\.name.count).max() ?? 0) + 2)
        // Image scenarios with a positive class are screening tests: sensitivity, specificity and ROC-AUC too.
        let screening = shown.compactMap(\.metrics.screening).first?.positiveClass
        lines.append(
            self.pad("model", width) + "accuracy  macro-P  macro-R  macro-F1"
                + (screening == nil ? "" : "  sensitivity  specificity  ROC-AUC")
        )
        for baseline in shown {
            let m = baseline.metrics
            var line =
                self.pad(baseline.name, width)
                + String(
                    format: "%8.4f  %7.4f  %7.4f  %8.4f",
                    m.accuracy,
                    m.macroPrecision,
                    m.macroRecall,
                    m.macroF1
                )
            if screening != nil {
                line +=
                    "  " + self.right(self.optional(m.screening?.sensitivity), 11) + "  "
                    + self.right(self.optional(m.screening?.specificity), 11) + "  "
                    + self.right(self.optional(m.screening?.rocAUC), 7)
            }
            lines.append(line)
        }
        if let screening {
            lines.append("(sensitivity, specificity and ROC-AUC for \(screening) against the other classes)")
        }
        lines += RareClassText.lines(for: summary.baselines)
        if let privacy = summary.privacy { lines.append(privacy.consoleLine) }
        if !summary.sites.isEmpty {
            lines.append("")
            let siteWidth = max(12, (summary.sites.map(\.name.count).max() ?? 0) + 2)
            lines.append(
                self.pad("site", siteWidth)
                    + "train  held-out  alone acc  global acc  (on the site's own held-out data)"
            )
            for site in summary.sites {
                lines.append(
                    self.pad(site.name, siteWidth)
                        + String(format: "%5d  %8d  ", site.trainExamples, site.testExamples)
                        + self.right(self.optional(site.aloneAccuracy), 9) + "  "
                        + self.right(self.optional(site.globalAccuracy), 10)
                )
            }
            if let worst = summary.sites.filter({ $0.globalAccuracy != nil }).min(by: {
                $0.globalAccuracy! < $1.globalAccuracy!
            }) {
                lines.append(
                    "worst site for the global model: \(worst.name) " + String(format: "(%.4f)", worst.globalAccuracy!)
                )
            }
        }
        if !summary.expectations.isEmpty {
            lines.append("")
            let met = summary.expectations.filter(\.passed).count
            lines.append("expectations: \(met) of \(summary.expectations.count) met")
            for item in summary.expectations {
                lines.append("  \(item.passed ? "✓" : "✗") \(item.text)" + (item.observed.map { " (\($0))" } ?? ""))
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private static func right(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    private static func optional(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.4f", value)
    }
}
