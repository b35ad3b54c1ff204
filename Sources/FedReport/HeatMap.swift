/// A confusion matrix as a heat map: each cell shaded by its share of the true class's
/// examples (row-normalised, so rare classes show their errors as clearly as common
/// ones), with the count written in it.
///
/// Cells shrink with the number of classes, down to a size where 20 classes still carry
/// legible counts; past about 30 the counts are left to the tooltips.
package struct HeatMap {
    package var title: String
    package var description: String
    package var id: String
    package var classNames: [String]
    /// Rows are the true class, columns the predicted class.
    package var counts: [[Int]]
    /// The most width the grid of cells may take: more room when the map spans the page.
    package var maxGrid: Double = 460

    /// The chart as an inline `<svg>`.
    package func svg() -> String {
        let n = max(self.counts.count, self.counts.map(\.count).max() ?? 0, self.classNames.count)
        let names = (0..<n).map { $0 < self.classNames.count ? self.classNames[$0] : "class \($0)" }
        let labelLimit = 16
        let longest = Double(min(names.map(\.count).max() ?? 4, labelLimit))
        let cell = n == 0 ? 40 : max(12, min(56, self.maxGrid / Double(n)))
        let labelSize = min(13, max(9.5, cell * 0.5))
        let countSize = min(14, max(9, cell * 0.42))
        let showCounts = cell >= 15
        let left = 34 + longest * labelSize * 0.58 + 8
        let top = 20.0
        let grid = cell * Double(n)
        let bottomLabels = longest * labelSize * 0.58 * 0.71 + 14
        let width = max(left + grid + 86, 360)
        let height = top + grid + bottomLabels + 30
        var canvas = SVGCanvas(width: width, height: height)

        let rowTotals = (0..<n).map { row in row < self.counts.count ? self.counts[row].reduce(0, +) : 0 }
        if n == 0 {
            canvas.text(
                "No confusion matrix",
                x: width / 2,
                y: height / 2,
                anchor: "middle",
                size: 13,
                fill: ReportStyle.muted
            )
        }
        for row in 0..<n {
            for column in 0..<n {
                let count = row < self.counts.count && column < self.counts[row].count ? self.counts[row][column] : 0
                let share = rowTotals[row] > 0 ? Double(count) / Double(rowTotals[row]) : 0
                let x = left + Double(column) * cell
                let y = top + Double(row) * cell
                canvas.rect(
                    x: x,
                    y: y,
                    width: cell,
                    height: cell,
                    fill: ReportStyle.heat(share),
                    stroke: "#ffffff",
                    strokeWidth: cell > 20 ? 1.5 : 0.75,
                    tooltip:
                        "true \(names[row]) → predicted \(names[column]): \(count) (\(ReportFormat.percent(share, digits: 1)) of the row)"
                )
                if showCounts {
                    canvas.text(
                        ReportFormat.compactCount(count),
                        x: x + cell / 2,
                        y: y + cell / 2,
                        anchor: "middle",
                        size: countSize,
                        fill: ReportStyle.needsLightText(share) ? "#ffffff" : ReportStyle.ink,
                        weight: row == column ? "600" : nil,
                        baseline: "central"
                    )
                }
            }
            // Row (true class) labels.
            canvas.text(
                names[row].truncated(to: labelLimit),
                x: left - 6,
                y: top + (Double(row) + 0.5) * cell,
                anchor: "end",
                size: labelSize,
                baseline: "central",
                tooltip: names[row]
            )
            // Column (predicted class) labels, tilted so long names fit.
            let cx = left + (Double(row) + 0.5) * cell
            canvas.text(
                names[row].truncated(to: labelLimit),
                x: cx + labelSize * 0.35,
                y: top + grid + 8,
                anchor: "end",
                size: labelSize,
                rotate: -45,
                baseline: "hanging",
                tooltip: names[row]
            )
        }
        if n > 0 {
            canvas.text(
                "True class",
                x: 12,
                y: top + grid / 2,
                anchor: "middle",
                size: 12,
                fill: ReportStyle.muted,
                rotate: -90,
                baseline: "central"
            )
            canvas.text(
                "Predicted class",
                x: left + grid / 2,
                y: height - 8,
                anchor: "middle",
                size: 12,
                fill: ReportStyle.muted
            )
            self.drawColorKey(on: &canvas, x: left + grid + 22, top: top, height: min(grid, 220))
        }
        return canvas.render(title: self.title, description: self.description, id: self.id)
    }

    /// A vertical key from 0% to 100% of the row, built from bands so it needs no
    /// gradient definition (whose id could clash with another report on the same page).
    private func drawColorKey(on canvas: inout SVGCanvas, x: Double, top: Double, height: Double) {
        let bands = 20
        let band = height / Double(bands)
        for index in 0..<bands {
            let t = 1 - (Double(index) + 0.5) / Double(bands)
            canvas.rect(x: x, y: top + Double(index) * band, width: 12, height: band + 0.5, fill: ReportStyle.heat(t))
        }
        canvas.rect(x: x, y: top, width: 12, height: height, fill: "none", stroke: ReportStyle.axis, strokeWidth: 0.75)
        for (t, label) in [(1.0, "100%"), (0.5, "50%"), (0.0, "0%")] {
            let y = top + (1 - t) * height
            canvas.line(x1: x + 12, y1: y, x2: x + 16, y2: y, stroke: ReportStyle.axis)
            canvas.text(label, x: x + 19, y: y, size: 10.5, fill: ReportStyle.muted, baseline: "central")
        }
        canvas.text("of row", x: x, y: top + height + 16, size: 10.5, fill: ReportStyle.muted)
    }
}
