import FedReport
import Foundation

/// report.html of a sweep: one self-contained page with the chart of trials (each trial's
/// score where it stopped, and the best finished score so far) drawn with the run report's
/// `LineChart`, and the table of trials.
enum SweepReportPage {
    static func html(
        _ trials: [Trial],
        space: SearchSpace,
        best: Trial?,
        scenario: String,
        halving: SuccessiveHalving,
        testAccuracy: Double?
    ) -> String {
        var bestSoFar: [(x: Double, y: Double)] = []
        var top = -Double.infinity
        // A point at every trial from the first finished one, so the line runs to the last trial.
        for trial in trials {
            if trial.status == .complete, let score = trial.lastScore, score > top { top = score }
            if top.isFinite { bestSoFar.append((x: Double(trial.number), y: top)) }
        }
        func points(_ status: Trial.Status) -> [(x: Double, y: Double)] {
            trials.filter { $0.status == status }.compactMap { trial in
                trial.lastScore.map { (x: Double(trial.number), y: $0) }
            }
        }
        let chart = LineChart(
            titled: "Validation accuracy per trial",
            description: "Each trial's global model on the sites' held-out data where it stopped: after every round "
                + "for finished trials, at its last rung for pruned ones; and the best finished trial so far.",
            id: "sweep-trials",
            xLabel: "Trial",
            yLabel: "Validation accuracy",
            series: [
                // Drawn first, so the finished trials' points stay visible on it.
                .init(named: "Best so far", color: ReportStyle.green, points: bestSoFar),
                .init(named: "Finished", color: ReportStyle.blue, points: points(.complete), dash: "2 4"),
                .init(named: "Pruned (at its rung)", color: ReportStyle.orange, points: points(.pruned), dash: "2 4"),
            ],
            clamp: 0...1,
            digits: 4,
            width: 1180
        ).svg()
        let keys = space.parameters.map(\.key)
        let head = (["Trial", "Status", "Rounds", "Score"] + keys.map(\.rawValue) + ["Seconds"])
            .map { "<th>\($0.htmlEscaped)</th>" }.joined()
        let rows = trials.map { trial in
            let cells =
                ["\(trial.number)", trial.status.rawValue, "\(trial.rounds)", SweepTable.score(trial.lastScore)]
                + keys.map { SweepTable.value(trial, $0) } + [String(format: "%.1f", trial.seconds)]
            // Status is a word; every other column a number.
            let best = trial.number == best?.number ? " best" : ""
            return "<tr>"
                + cells.enumerated().map { column, cell in
                    "<td class=\"\(column == 1 ? "" : "num")\(best)\">\(cell.htmlEscaped)</td>"
                }.joined() + "</tr>"
        }.joined(separator: "\n")
        let rungs = halving.rungs.map(String.init).joined(separator: ", ")
        var summary =
            "\(trials.count) trials; successive halving with η = \(halving.reductionFactor) at rounds "
            + "\(rungs.isEmpty ? "none" : rungs) of \(halving.maximumRounds)."
        if let best {
            summary += " Best: trial \(best.number), validation accuracy \(SweepTable.score(best.lastScore))"
            summary += testAccuracy.map { ", test accuracy \(SweepTable.score($0)) (best.yaml run once)." } ?? "."
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>fedtune sweep: \(scenario.htmlEscaped)</title>
            <style>\(ReportStyle.css)</style>
            </head>
            <body><main>
            <h1>Sweep of \(scenario.htmlEscaped)</h1>
            <p>\(summary.htmlEscaped)</p>
            \(chart)
            <table class="data">
            <thead><tr>\(head)</tr></thead>
            <tbody>
            \(rows)
            </tbody>
            </table>
            </main></body>
            </html>

            """
    }
}
