import ArgumentParser
import FedReport
import FedSimulation
import Foundation

/// `fedtune report RUN_DIR`: renders a run folder's report.html again from its files, also
/// for a run that stopped before writing its summary.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render report.html again from a run folder (also for a run that did not finish)."
    )

    @Argument(help: "A run folder that `fedtune simulate` wrote (runs/<scenario>-<time>, or its --out).")
    var folder: String

    func run() throws {
        let url = URL(fileURLWithPath: self.folder)
        let summary = try runReportingErrors { try RunReport.render(folder: url) }
        let state = summary.finished == false ? " (the run did not finish: \(summary.rounds.count) rounds)" : ""
        print("report: \(url.appendingPathComponent("report.html").path)\(state)")
    }
}
