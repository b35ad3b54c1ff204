/// The privacy section's charts: ε spent after each round against the budget, and the clip
/// norm of each round when clipping was adaptive. Drawn as the report's other line charts.
package enum PrivacyCharts {
    /// The name of the ε line, in the legend and in each point's tooltip.
    package static let epsilonSeries = "ε spent (cumulative)"
    package static let clipSeries = "Clip norm C"

    /// ε after each round, with the target ε as a dashed line when there is one.
    package static func epsilon(_ privacy: PrivacySummary, width: Double = 640) -> String {
        let points = privacy.epsilonPerRound.enumerated().map { (x: Double($0.offset + 1), y: $0.element) }
        let references =
            privacy.targetEpsilon.map {
                [LineChart.Reference(name: "Target ε", value: $0, color: ReportStyle.vermillion, dash: "7 4")]
            } ?? []
        let chart = LineChart(
            title: "Privacy spent per round",
            description: "ε at δ = \(PrivacySummary.short(privacy.delta)) spent by the end of each of "
                + "\(privacy.epsilonPerRound.count) rounds, cumulative over the run"
                + (privacy.targetEpsilon.map { "; the dashed line is the budget, ε = \(PrivacySummary.short($0))." }
                    ?? "."),
            id: "chart-privacy-epsilon",
            xLabel: "Round",
            yLabel: "ε (per site)",
            series: [.init(name: Self.epsilonSeries, color: ReportStyle.purple, points: points)],
            references: references,
            clamp: 0...Double.greatestFiniteMagnitude,
            digits: 2,
            width: width
        )
        return chart.svg()
    }

    /// The clip norm of each round; nil unless clipping was adaptive.
    package static func clipNorm(_ privacy: PrivacySummary, width: Double = 640) -> String? {
        guard let norms = privacy.clipNormPerRound, !norms.isEmpty else { return nil }
        let points = norms.enumerated().map { (x: Double($0.offset + 1), y: $0.element) }
        let chart = LineChart(
            title: "Clip norm per round",
            description: "The L2 norm each site's update was clipped to in each of \(norms.count) rounds, moved "
                + "each round towards a quantile of the update norms (adaptive clipping).",
            id: "chart-privacy-clip",
            xLabel: "Round",
            yLabel: "Clip norm C",
            series: [.init(name: Self.clipSeries, color: ReportStyle.orange, points: points)],
            references: [],
            clamp: 0...Double.greatestFiniteMagnitude,
            digits: 3,
            width: width
        )
        return chart.svg()
    }
}
