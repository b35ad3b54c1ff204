import Foundation
import FedReport

/// The live status page `/` serves: one self-contained HTML file (the report's stylesheet
/// inlined, no scripts, nothing fetched) that reloads itself every few seconds, with the
/// report's line charts: accuracy, sites reported and failed, bytes and ε per round.
package enum StatusPage {
    /// Seconds between reloads.
    package static let refreshSeconds = 5

    package static func html(_ status: FederationStatus) -> String {
        let charts = self.charts(status).map { "<figure>\($0)</figure>" }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="\(self.refreshSeconds)">
            <title>fedtune: \(self.headline(status).htmlEscaped)</title>
            <style>\(ReportStyle.css)
            .state { border-radius: 999px; padding: 0 8px; font-size: 12px; color: #fff; }
            .state-connected { background: var(--muted); } .state-training { background: var(--blue); }
            .state-reported { background: var(--green); } .state-failed { background: var(--vermillion); }
            </style>
            </head>
            <body>
            <main>
            <header class="top"><div>
            <p class="eyebrow">fedtune federation · live status</p>
            <h1 id="headline">\(self.headline(status).htmlEscaped)</h1>
            <p class="lede">Reloads every \(self.refreshSeconds) s. Counts and site names only.</p>
            </div></header>
            <div class="stats">\(self.cards(status))</div>
            <div class="charts" id="charts">
            \(charts)
            </div>
            <section class="block" id="sites"><h2>Sites</h2>\(self.sitesTable(status))</section>
            </main>
            </body>
            </html>
            """
    }

    /// "training round 4 (3 of 10 finished)" and the like.
    package static func headline(_ status: FederationStatus) -> String {
        let phase = status.phase.replacingOccurrences(of: "_", with: " ")
        let finished = "\(status.completedRounds)" + (status.plannedRounds.map { " of \($0)" } ?? "") + " finished"
        if let round = status.round { return "\(phase) round \(round) (\(finished))" }
        return "\(phase) (\(finished))"
    }

    private static func cards(_ status: FederationStatus) -> String {
        var cards: [(String, String, String)] = [
            ("Phase", status.phase.replacingOccurrences(of: "_", with: " "), status.round.map { "round \($0)" } ?? ""),
            ("Rounds finished", "\(status.completedRounds)", status.plannedRounds.map { "of \($0)" } ?? ""),
            ("Sites connected", "\(status.connected)", status.minSites.map { "\($0) needed per round" } ?? ""),
        ]
        if let accuracy = status.rounds.last(where: { $0.accuracy != nil })?.accuracy {
            cards.append(("Accuracy", ReportFormat.decimal(accuracy), "federated evaluation, last scored round"))
        }
        if let epsilon = status.epsilon {
            cards.append(
                ("ε spent", ReportFormat.decimal(epsilon, digits: 2),
                 status.targetEpsilon.map { "of \(ReportFormat.decimal($0, digits: 2))" } ?? ""))
        }
        return cards.map {
            "<div class=\"stat\"><div class=\"k\">\($0.0.htmlEscaped)</div><div class=\"v\">\($0.1.htmlEscaped)</div>"
                + "<div class=\"s\">\($0.2.htmlEscaped)</div></div>"
        }.joined()
    }

    private static func sitesTable(_ status: FederationStatus) -> String {
        guard !status.sites.isEmpty else { return "<p class=\"empty\">No site is connected.</p>" }
        let rows = status.sites.map {
            "<tr><th><span class=\"site-name\">\($0.name.htmlEscaped)</span></th>"
                + "<td><span class=\"state state-\($0.state.rawValue)\">\($0.state.rawValue)</span></td></tr>"
        }
        return "<table class=\"data\"><thead><tr><th>site</th><th>state</th></tr></thead><tbody>"
            + rows.joined() + "</tbody></table>"
    }

    /// The charts as inline SVG: accuracy, sites, bytes, and ε under privacy.
    package static func charts(_ status: FederationStatus) -> [String] {
        let rounds = status.rounds
        func points(_ value: (FederationStatus.Round) -> Double?) -> [(x: Double, y: Double)] {
            rounds.compactMap { round in value(round).map { (x: Double(round.round), y: $0) } }
        }
        // Bytes in the unit that suits the largest round: kB, MB or GB.
        let largest = rounds.map { max($0.bytesIn, $0.bytesOut) }.max() ?? 0
        let (unit, scale) = largest >= 1_000_000_000 ? ("GB", 1e9) : largest >= 1_000_000 ? ("MB", 1e6) : ("kB", 1e3)
        var charts = [
            LineChart(
                titled: "Accuracy per round",
                description: "Federated evaluation: the sites' example-weighted accuracy of each round's global model.",
                id: "status-accuracy", xLabel: "Round", yLabel: "Accuracy",
                series: [.init(named: "Accuracy", color: ReportStyle.blue, points: points(\.accuracy))],
                clamp: 0...1
            ).svg(),
            LineChart(
                titled: "Sites per round",
                description: "Sites whose update was counted in each round, and sampled sites that failed.",
                id: "status-sites", xLabel: "Round", yLabel: "Sites",
                series: [
                    .init(named: "Reported", color: ReportStyle.green, points: points { Double($0.reported) }),
                    .init(named: "Failed", color: ReportStyle.vermillion, points: points { Double($0.failed) }, dash: "5 3"),
                ],
                clamp: 0...Double.greatestFiniteMagnitude, digits: 0
            ).svg(),
            LineChart(
                titled: "Bytes per round",
                description: "\(unit) of models sent to sites and of updates received in each round.",
                id: "status-bytes", xLabel: "Round", yLabel: unit,
                series: [
                    .init(named: "Sent (models)", color: ReportStyle.orange, points: points { Double($0.bytesOut) / scale }),
                    .init(named: "Received (updates)", color: ReportStyle.sky, points: points { Double($0.bytesIn) / scale }),
                ],
                clamp: 0...Double.greatestFiniteMagnitude
            ).svg(),
        ]
        if status.epsilon != nil || rounds.contains(where: { $0.epsilon != nil }) {
            charts.append(
                LineChart(
                    titled: "Privacy spent per round",
                    description: "ε spent by the end of each round, cumulative, at the plan's δ.",
                    id: "status-epsilon", xLabel: "Round", yLabel: "ε",
                    series: [.init(named: "ε spent", color: ReportStyle.purple, points: points(\.epsilon))],
                    references: status.targetEpsilon.map {
                        [.init(named: "Target ε", value: $0, color: ReportStyle.vermillion, dash: "7 4")]
                    } ?? [],
                    clamp: 0...Double.greatestFiniteMagnitude, digits: 2
                ).svg())
        }
        return charts
    }
}
