import FedCoordinator
import FedReport
import FedRounds
import FedSupport
import Foundation

/// `fedtune report RUN_DIR`: renders a run folder's report.html again from its files.
///
/// A finished (or Ctrl-C-interrupted) run is drawn from its summary.json. A run that never
/// wrote one — killed, or still running — is drawn from run.json (its settings and sites, as
/// they stood when the federation started), the coordinator's rounds.jsonl and
/// evaluations.jsonl and the lines of metrics.jsonl, and the report says it did not finish.
package enum RunReport {
    /// Writes `folder`/report.html and returns the summary it drew.
    @discardableResult
    package static func render(folder url: URL) throws(RunReportError) -> RunSummary {
        let folder = RunFolder(url)
        let summary = try self.summary(of: folder)
        do {
            try AtomicFile.write(Data(ReportRenderer.html(for: summary).utf8), to: folder.reportURL)
        } catch {
            throw .unwritable(path: folder.reportURL.path, detail: "\(error)")
        }
        return summary
    }

    /// The summary of the run in `folder`: summary.json as written, or what the files of an
    /// unfinished run hold.
    static func summary(of folder: RunFolder) throws(RunReportError) -> RunSummary {
        let manager = FileManager.default
        if manager.fileExists(atPath: folder.summaryURL.path) {
            return try self.decode(folder.summaryURL)
        }
        guard manager.fileExists(atPath: folder.startURL.path) else {
            throw .notARunFolder(path: folder.url.path)
        }
        var summary = try self.decode(folder.startURL)
        let records = try self.records(folder)
        let lines = try self.metricsLines(folder)
        let evaluations = Dictionary(
            Simulation.evaluations(in: folder).map { ($0.round, $0) }, uniquingKeysWith: { $1 })
        summary.rounds = records.map { record in
            RoundMetrics(
                self.round(record, lines: lines.filter { $0.round == record.round }),
                classNames: summary.classNames,
                evaluation: evaluations[record.round]
            )
        }
        summary.finished = false
        let asked = summary.roundsAsked.map { " of \($0)" } ?? ""
        summary.unfinishedReason =
            "It stopped after round \(records.count)\(asked) without writing its summary (it was killed, or is "
            + "still running): the rounds below are what its files hold; there are no final scores or baselines."
        return summary
    }

    /// A round of an unfinished run from the coordinator's record and the round's lines of
    /// metrics.jsonl (its global test scores, and each site's held-out score).
    static func round(_ record: RoundRecord, lines: [RunFolder.MetricsLine]) -> SimulationRound {
        let global = lines.first { $0.kind == "global" }
        let sites = lines.filter { $0.kind == "site" && $0.site != nil }
        var round = SimulationRound(
            record: record,
            testAccuracy: global?.testAccuracy ?? .nan,
            testLoss: global?.testLoss ?? .nan,
            testMacroF1: global?.testMacroF1 ?? .nan,
            testScreening: nil,
            siteResults: sites.map {
                .init(site: $0.site!, examples: $0.examples, trainLoss: $0.trainLoss, trainAccuracy: $0.trainAccuracy)
            }
        )
        for line in sites {
            if let accuracy = line.heldOutAccuracy {
                round.siteHeldOut[line.site!] = .init(accuracy: accuracy, loss: line.heldOutLoss, examples: 0)
            }
        }
        return round
    }

    /// The coordinator's round records, from whichever state folder the run has.
    private static func records(_ folder: RunFolder) throws(RunReportError) -> [RoundRecord] {
        for state in folder.stateFolders where FileManager.default.fileExists(atPath: state.roundsURL.path) {
            do {
                return try state.records()
            } catch {
                throw .unreadable(path: state.roundsURL.path, detail: "\(error)")
            }
        }
        return []
    }

    /// The lines of metrics.jsonl; none when the file is missing. A torn last line (the run
    /// was killed while appending) is left out.
    private static func metricsLines(_ folder: RunFolder) throws(RunReportError) -> [RunFolder.MetricsLine] {
        guard let data = FileManager.default.contents(atPath: folder.metricsURL.path) else { return [] }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(RunFolder.MetricsLine.self, from: $0) }
    }

    private static func decode(_ url: URL) throws(RunReportError) -> RunSummary {
        do {
            return try RunSummary.decode(from: Data(contentsOf: url))
        } catch {
            throw .unreadable(path: url.path, detail: "\(error)")
        }
    }
}

/// Why `fedtune report` could not render a run folder.
package enum RunReportError: Error, Equatable, CustomStringConvertible {
    /// The folder has neither summary.json nor run.json.
    case notARunFolder(path: String)
    /// A file of the run could not be read or decoded.
    case unreadable(path: String, detail: String)
    /// report.html could not be written.
    case unwritable(path: String, detail: String)

    package var description: String {
        switch self {
        case .notARunFolder(let path):
            "\(path) is not a run folder: it holds neither summary.json nor run.json. Give the folder "
                + "`fedtune simulate` wrote (runs/<scenario>-<time>, or its --out)."
        case .unreadable(let path, let detail):
            "\(path) could not be read as a run file: \(detail). Check that the file is complete and was written by fedtune."
        case .unwritable(let path, let detail):
            "\(path) could not be written: \(detail). Check that the run folder is writable."
        }
    }
}
