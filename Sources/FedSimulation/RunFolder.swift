import FedCoordinator
import FedLearning
import FedReport
import FedRounds
import FedSupport
import FedTensor
import Foundation

/// The folder a simulation leaves behind: `metrics.jsonl`, `summary.json`, the final
/// global model in `model/` and `report.html`; beside them `state/` (in-process rounds,
/// as a coordinator keeps them) or `federation/` (the processes' folders and logs), a copy
/// of the scenario file (`scenario.yaml`) and `run.json`, the summary as it stood when the
/// federation started (settings, sites, environment), from which `fedtune report` renders a
/// run that never wrote its summary.
package struct RunFolder: Sendable {
    package let url: URL

    package init(_ url: URL) {
        self.url = url
    }

    package var metricsURL: URL { self.url.appendingPathComponent("metrics.jsonl") }
    package var summaryURL: URL { self.url.appendingPathComponent("summary.json") }
    package var reportURL: URL { self.url.appendingPathComponent("report.html") }
    package var modelURL: URL { self.url.appendingPathComponent("model") }
    package var scenarioURL: URL { self.url.appendingPathComponent("scenario.yaml") }
    package var startURL: URL { self.url.appendingPathComponent("run.json") }
    /// The state folders a run may have: in process, or the coordinator's with site processes.
    var stateFolders: [StateFolder] {
        ["state", "federation/state"].map { StateFolder(self.url.appendingPathComponent($0)) }
    }

    /// A line of metrics.jsonl: one per site and round (`kind` "site": what the site
    /// trained on), then one per round (`kind` "global": the new global model on the
    /// global test set). Fields that do not apply are left out.
    struct MetricsLine: Codable, Equatable {
        var kind: String
        var round: Int
        var site: String?
        var sites: Int?
        var examples: Int
        var trainLoss: Double?
        var trainAccuracy: Double?
        /// A site's line: the round's global model on the site's held-out data.
        var heldOutAccuracy: Double?
        var heldOutLoss: Double?
        var testAccuracy: Double?
        var testLoss: Double?
        var testMacroF1: Double?
        var seconds: Double?
        /// A global line: the round's blob bytes, the one-off base model apart.
        var baseModelBytes: Int?
        var trainableBytes: Int?
        var updateBytes: Int?
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
                    trainLoss: round.trainMetric("loss", of: $0.site),
                    trainAccuracy: round.trainMetric("accuracy", of: $0.site),
                    heldOutAccuracy: round.siteHeldOut[$0.site]?.accuracy,
                    heldOutLoss: round.siteHeldOut[$0.site]?.loss
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
                    seconds: round.seconds,
                    baseModelBytes: round.record.bytes?.baseModel,
                    trainableBytes: round.record.bytes?.trainable,
                    updateBytes: round.record.bytes?.updates
                )
            ]
        }
    }

    /// The encoder of metrics.jsonl and run.json: sorted keys, and a diverging run's NaN
    /// loss written as the string "NaN" (as summary.json does).
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity",
            negativeInfinity: "-Infinity",
            nan: "NaN"
        )
        return encoder
    }

    /// Starts the folder as the federation starts: a copy of the scenario file, and run.json,
    /// the summary so far (settings, sites and their labels, environment; no rounds yet).
    func start(_ summary: RunSummary, scenarioFile: URL?) throws {
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
        if let scenarioFile {
            try AtomicFile.write(try Data(contentsOf: scenarioFile), to: self.scenarioURL)
        }
        try AtomicFile.write(try summary.jsonData(), to: self.startURL)
    }

    /// Appends one round's lines to metrics.jsonl as the round closes, so a run that is
    /// killed keeps them.
    func append(_ round: SimulationRound) throws {
        var lines = Data()
        for line in Self.metricsLines([round]) {
            lines.append(try Self.encoder().encode(line))
            lines.append(0x0A)
        }
        if !FileManager.default.fileExists(atPath: self.metricsURL.path) {
            try AtomicFile.write(lines, to: self.metricsURL)
            return
        }
        let handle = try FileHandle(forWritingTo: self.metricsURL)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: lines)
    }

    /// Writes metrics.jsonl (again, whole), summary.json and report.html (the model is saved
    /// as soon as the federation ends, before the baselines reuse the model object).
    func write(rounds: [SimulationRound], summary: RunSummary) throws {
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
        var lines = Data()
        for line in Self.metricsLines(rounds) {
            lines.append(try Self.encoder().encode(line))
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
        for state in self.stateFolders {
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
