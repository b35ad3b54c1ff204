/// The report's "Rounds and sites" part: what a researcher checks first in a non-IID study
/// after the headline — the label distribution per site, each site's curves, the bytes and
/// seconds per round, update norms and clip factors, who took part, and why sites failed.
enum RoundSection {
    /// The section's charts and failures table; empty text for a run with none of them.
    static func html(for summary: RunSummary) -> String {
        let width = ChartPanel.width
        let classCount = summary.classNames.count
        let charts = ChartPanel.section(
            [
                ChartPanel(
                    heading: "Label distribution",
                    caption: "Training examples per class at each site; shade is the share of the site's examples.",
                    isHeatMap: true,
                    wide: classCount > 10 || summary.sites.count > 12
                ) { _ in
                    // Drawn at its own size even when its panel spans the row: larger cells add nothing.
                    RoundCharts.labels(summary, wide: classCount > 10 || summary.sites.count > 12)
                },
                ChartPanel(
                    heading: "Participation",
                    caption: "Who was sampled in each round, who reported and who failed (hover a cell for the reason).",
                    wide: true
                ) { ParticipationChart(summary, width: width($0))?.svg() },
                ChartPanel(
                    heading: "Each site's training loss",
                    caption: "The loss of each site's last local epoch, as it reported it with its update."
                ) { RoundCharts.siteTraining(summary, accuracy: false, width: width($0)) },
                ChartPanel(
                    heading: "Each site's training accuracy",
                    caption: "The training accuracy each site reported with its update."
                ) { RoundCharts.siteTraining(summary, accuracy: true, width: width($0)) },
                ChartPanel(
                    heading: "Global model on each site's data",
                    caption: "Each round's global model on each site's held-out examples."
                ) { RoundCharts.siteHeldOut(summary, width: width($0)) },
                ChartPanel(
                    heading: "Bytes per round",
                    caption: Communication(summary.rounds).map { traffic in
                        "Trainable tensors out and updates back; the base model, sent once, is left out"
                            + (traffic.baseModel > 0 ? " (\(ReportFormat.bytes(traffic.baseModel)))." : ".")
                    } ?? ""
                ) { RoundCharts.bytes(summary, width: width($0)) },
                ChartPanel(heading: "Seconds per round", caption: "Wall-clock time from a round's opening to its close.") {
                    RoundCharts.seconds(summary, width: width($0))
                },
                ChartPanel(heading: "Update norms", caption: "Each site's update norm before clipping.") {
                    RoundCharts.norms(summary, width: width($0))
                },
                ChartPanel(heading: "Clip factors", caption: "How much clipping scaled each site's update (1: not at all).") {
                    RoundCharts.clipFactors(summary, width: width($0))
                },
            ],
            heading: "Rounds and sites",
            id: "rounds"
        )
        return charts + self.failures(summary)
    }

    /// Every failure of a sampled site, round by round, with its reason.
    static func failures(_ summary: RunSummary) -> String {
        let rows = summary.rounds.flatMap { round in
            (round.sites ?? []).filter { !$0.reported }.map { (round: round.round, site: $0) }
        }
        guard !rows.isEmpty else { return "" }
        let body = rows.map { row in
            "<tr><td class=\"num\">\(row.round)</td><td>\(row.site.name.htmlEscaped)</td>"
                + "<td>\((row.site.failure ?? "failed").htmlEscaped)</td></tr>"
        }
        return """
            <section class="block" id="failures"><h2>Failures</h2><p class="hint">Sites sampled in a round whose \
            update was not counted, and why.</p>
            <table class="data failures">
            <thead><tr><th scope="col" class="num">Round</th><th scope="col">Site</th><th scope="col">Reason</th></tr></thead>
            <tbody>
            \(body.joined(separator: "\n"))
            </tbody>
            </table>
            </section>
            """
    }
}
