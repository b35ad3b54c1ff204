/// Who took part in each round: a grid of sites (rows) by rounds (columns) whose cells say
/// whether the site was sampled and reported, sampled and failed, or not sampled — so a
/// site that keeps failing, or that sampling keeps leaving out, shows at a glance.
package struct ParticipationChart {
    /// A site's state in one round.
    package enum State: Equatable {
        case reported
        case failed(String)
        case notSampled
    }

    package var title: String
    package var description: String
    package var id: String
    /// Site names, in row order.
    package var sites: [String]
    /// Round numbers, in column order.
    package var rounds: [Int]
    /// `states[site][round]`, in the orders above.
    package var states: [[State]]
    package var width: Double = 640

    /// The grid of `summary`'s rounds, its sites in the summary's order (then any other
    /// site a round names); nil when no round lists its sites.
    package init?(_ summary: RunSummary, width: Double = 640) {
        let rounds = summary.rounds.filter { $0.sites != nil }
        guard !rounds.isEmpty else { return nil }
        var names = summary.sites.map(\.name)
        for round in rounds {
            for site in round.sites ?? [] where !names.contains(site.name) { names.append(site.name) }
        }
        self.title = "Participation per round"
        self.description = "For each of \(names.count) sites and \(rounds.count) rounds: sampled and reported, "
            + "sampled and failed, or not sampled."
        self.id = "chart-participation"
        self.sites = names
        self.rounds = rounds.map(\.round)
        self.states = names.map { name in
            rounds.map { round in
                guard let site = round.sites?.first(where: { $0.name == name }) else { return .notSampled }
                return site.reported ? .reported : .failed(site.failure ?? "failed")
            }
        }
        self.width = width
    }

    private static let colors = (reported: ReportStyle.blue, failed: ReportStyle.vermillion, idle: "#e6e9ee")

    /// The chart as an inline `<svg>`.
    package func svg() -> String {
        let longest = min(self.sites.map(\.count).max() ?? 4, 18)
        let left = 12 + SVGCanvas.textWidth(String(repeating: "n", count: longest), size: 12)
        let right = self.width - 12
        let top = 34.0
        let cellWidth = max(2, min(26, (right - left) / Double(max(self.rounds.count, 1))))
        let rowHeight = max(3, min(20, 420 / Double(max(self.sites.count, 1))))
        let showNames = rowHeight >= 10
        let gridBottom = top + rowHeight * Double(self.sites.count)
        var canvas = SVGCanvas(width: self.width, height: gridBottom + 40)

        var x = left
        for (name, color) in [
            ("reported", Self.colors.reported), ("failed", Self.colors.failed), ("not sampled", Self.colors.idle),
        ] {
            canvas.rect(x: x, y: 8, width: 14, height: 12, fill: color, radius: 2)
            canvas.text(name, x: x + 20, y: 14, size: 13, baseline: "central")
            x += 20 + SVGCanvas.textWidth(name, size: 13) + 24
        }
        for (row, site) in self.sites.enumerated() {
            let y = top + Double(row) * rowHeight
            if showNames {
                canvas.text(
                    site.truncated(to: 18), x: left - 6, y: y + rowHeight / 2, anchor: "end", size: 12,
                    baseline: "central", tooltip: site)
            }
            for (column, round) in self.rounds.enumerated() {
                let state = self.states[row][column]
                let (fill, words): (String, String) =
                    switch state {
                    case .reported: (Self.colors.reported, "reported")
                    case .failed(let reason): (Self.colors.failed, "failed: \(reason)")
                    case .notSampled: (Self.colors.idle, "not sampled")
                    }
                canvas.rect(
                    x: left + Double(column) * cellWidth, y: y, width: cellWidth, height: rowHeight, fill: fill,
                    stroke: "#ffffff", strokeWidth: cellWidth > 6 && rowHeight > 6 ? 1 : 0.25,
                    tooltip: "\(site), round \(round): \(words)")
            }
        }
        // Round numbers under the grid, thinned to about one per 30 units.
        let step = max(1, Int((30 / cellWidth).rounded(.up)))
        for (column, round) in self.rounds.enumerated() where column % step == 0 || column == self.rounds.count - 1 {
            canvas.text(
                "\(round)", x: left + (Double(column) + 0.5) * cellWidth, y: gridBottom + 14, anchor: "middle",
                size: 11, fill: ReportStyle.muted)
        }
        canvas.text(
            "Round", x: left + (right - left) / 2, y: gridBottom + 32, anchor: "middle", size: 12,
            fill: ReportStyle.muted)
        return canvas.render(title: self.title, description: self.description, id: self.id)
    }
}
