import FedCoordinator
import FedLearning
import FedReport
import FedRounds
import FedSupport
import FedTensor
import Foundation

/// The folder a simulation leaves behind: `metrics.jsonl`, `summary.json`, the final
/// global model in `model/` and `report.html`; beside them `state/` (in-process rounds,
/// as a coordinator keeps them) or `federation/` (the processes' folders and logs).
package struct RunFolder: Sendable {
    package let url: URL

    package init(_ url: URL) {
        self.url = url
    }

    package var metricsURL: URL { self.url.appendingPathComponent("metrics.jsonl") }
    package var summaryURL: URL { self.url.appendingPathComponent("summary.json") }
    package var reportURL: URL { self.url.appendingPathComponent("report.html") }
    package var modelURL: URL { self.url.appendingPathComponent("model") }

    /// A line of metrics.jsonl: one per site and round (`kind` "site": what the site
    /// trained on), then one per round (`kind` "global": the new global model on the
    /// global test set). Fields that do not apply are left out.
    struct MetricsLine: Encodable {
        var kind: String
        var round: Int
        var site: String?
        var sites: Int?
        var examples: Int
        var trainLoss: Double?
        var trainAccuracy: Double?
        var testAccuracy: Double?
        var testLoss: Double?
        var testMacroF1: Double?
        var seconds: Double?
    }

    /// The lines of metrics.jsonl for `rounds`.
    static func metricsLines(_ rounds: [SimulationRound]) -> [MetricsLine] {
        rounds.flatMap { round in
            round.siteResults.map {
                MetricsLine(
                    kind: "site",
                    round: round.round,
                    site: $0.site,
                    examples: $0.examples,
                    trainLoss: $0.trainLoss,
                    trainAccuracy: $0.trainAccuracy
                )
            } + [
                MetricsLine(
                    kind: "global",
                    round: round.round,
                    sites: round.sites,
                    examples: round.examples,
                    // A round no site trained in (Poisson sampling may pick none) has no loss.
                    trainLoss: round.sites > 0 ? round.trainLoss : nil,
                    trainAccuracy: round.trainAccuracy,
                    testAccuracy: round.testAccuracy,
                    testLoss: round.testLoss,
                    testMacroF1: round.testMacroF1,
                    seconds: round.seconds
                )
            ]
        }
    }

    /// Writes metrics.jsonl, summary.json and report.html (the model is saved as soon as
    /// the federation ends, before the baselines reuse the model object).
    func write(rounds: [SimulationRound], summary: RunSummary) throws {
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // A diverging run's NaN loss is still written, as the string "NaN" (as summary.json does).
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        var lines = Data()
        for line in Self.metricsLines(rounds) {
            lines.append(try encoder.encode(line))
            lines.append(0x0A)
        }
        try AtomicFile.write(lines, to: self.metricsURL)
        try AtomicFile.write(try summary.jsonData(), to: self.summaryURL)
        try AtomicFile.write(Data(ReportRenderer.html(for: summary).utf8), to: self.reportURL)
    }

    /// Removes what only a running federation needs, which for a text model can be 90 MB a
    /// file (a full fine-tune's checkpoints, each site's copy of the base): every checkpoint but the last round's (the folder still resumes from it, as a
    /// coordinator's does), the copies of the base model each site process kept, and the
    /// coordinator's final model folder (the run's `model/` is the same model).
    func pruneCheckpoints() throws {
        let manager = FileManager.default
        for state in ["state", "federation/state"].map({ StateFolder(self.url.appendingPathComponent($0)) }) {
            if manager.fileExists(atPath: state.finalModelURL.path) { try manager.removeItem(at: state.finalModelURL) }
            guard let last = try state.records().map(\.round).max() else { continue }
            for round in 1..<last where manager.fileExists(atPath: state.checkpointURL(round: round).path) {
                try manager.removeItem(at: state.checkpointURL(round: round))
            }
        }
        let sites = self.url.appendingPathComponent("federation/sites")
        for site in (try? manager.contentsOfDirectory(atPath: sites.path)) ?? [] {
            let cache = sites.appendingPathComponent(site).appendingPathComponent("cache")
            if manager.fileExists(atPath: cache.path) { try manager.removeItem(at: cache) }
        }
    }

    /// `runs/<scenario>-<UTC date-time>` under `base`, the default run folder.
    package static func defaultURL(scenario: String, date: Date = Date(), base: URL) -> URL {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return base.appendingPathComponent("runs/\(scenario)-\(formatter.string(from: date))")
    }
}
