/// A matrix of counts as a heat map: each cell shaded by its share of its row
/// (row-normalised, so rare classes show their errors as clearly as common ones), with the
/// count written in it. A confusion matrix (true class × predicted class) by default; with
/// `rowNames` and its own axis words, any rows × columns count table, such as the sites ×
/// classes label distribution.
///
/// Cells shrink with the number of rows and columns, down to a size where 20 still carry
/// legible counts; past about 30 the counts are left to the tooltips.
package struct HeatMap {
    package var title: String
    package var description: String
    package var id: String
    /// The column names (and the row names when `rowNames` is nil).
    package var classNames: [String]
    /// Rows are the true class, columns the predicted class (or `rowNames` × `classNames`).
    package var counts: [[Int]]
    /// The most width the grid of cells may take: more room when the map spans the page.
    package var maxGrid: Double = 460
    /// Names of the rows when they are not the classes (sites).
    package var rowNames: [String]? = nil
    /// The axis titles and the words of a cell's tooltip.
    package var rowAxis = "True class"
    package var columnAxis = "Predicted class"
    /// A cell's tooltip from its row and column names, count and share of the row.
    package var tooltip: (_ row: String, _ column: String, _ count: Int, _ share: Double) -> String = {
        "true \($0) → predicted \($1): \($2) (\(ReportFormat.percent($3, digits: 1)) of the row)"
    }
    /// Whether the diagonal's counts are in bold (a confusion matrix's correct calls).
    package var boldDiagonal = true

    /// The chart as an inline `<svg>`.
    package func svg() -> String {
        let columnCount = max(self.counts.map(\.count).max() ?? 0, self.classNames.count, self.rowNames == nil ? self.counts.count : 0)
        let rowCount = self.rowNames.map { max($0.count, self.counts.count) } ?? columnCount
        let names = (0..<columnCount).map { $0 < self.classNames.count ? self.classNames[$0] : "class \($0)" }
        let rowNames = self.rowNames.map { given in (0..<rowCount).map { $0 < given.count ? given[$0] : "row \($0)" } } ?? names
        let n = max(rowCount, columnCount)
        let labelLimit = 16
        let longest = Double(min((names + rowNames).map(\.count).max() ?? 4, labelLimit))
        let cell = n == 0 ? 40 : max(12, min(56, self.maxGrid / Double(n)))
        let labelSize = min(13, max(9.5, cell * 0.5))
        let countSize = min(14, max(9, cell * 0.42))
        let showCounts = cell >= 15
        let left = 34 + longest * labelSize * 0.58 + 8
        let top = 20.0
        let grid = cell * Double(columnCount)
        let gridHeight = cell * Double(rowCount)
        let bottomLabels = longest * labelSize * 0.58 * 0.71 + 14
        let width = max(left + grid + 86, 360)
        let height = top + gridHeight + bottomLabels + 30
        var canvas = SVGCanvas(width: width, height: height)

        let rowTotals = (0..<rowCount).map { row in row < self.counts.count ? self.counts[row].reduce(0, +) : 0 }
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
        for row in 0..<rowCount {
            for column in 0..<columnCount {
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
                    tooltip: self.tooltip(rowNames[row], names[column], count, share)
                )
                if showCounts {
                    canvas.text(
                        ReportFormat.compactCount(count),
                        x: x + cell / 2,
                        y: y + cell / 2,
                        anchor: "middle",
                        size: countSize,
                        fill: ReportStyle.needsLightText(share) ? "#ffffff" : ReportStyle.ink,
                        weight: row == column && self.boldDiagonal ? "600" : nil,
                        baseline: "central"
                    )
                }
            }
            // Row (true class) labels.
            canvas.text(
                rowNames[row].truncated(to: labelLimit),
                x: left - 6,
                y: top + (Double(row) + 0.5) * cell,
                anchor: "end",
                size: labelSize,
                baseline: "central",
                tooltip: rowNames[row]
            )
        }
        for column in 0..<columnCount {
            // Column (predicted class) labels, tilted so long names fit.
            let cx = left + (Double(column) + 0.5) * cell
            canvas.text(
                names[column].truncated(to: labelLimit),
                x: cx + labelSize * 0.35,
                y: top + gridHeight + 8,
                anchor: "end",
                size: labelSize,
                rotate: -45,
                baseline: "hanging",
                tooltip: names[column]
            )
        }
        if n > 0 {
            canvas.text(
                self.rowAxis,
                x: 12,
                y: top + gridHeight / 2,
                anchor: "middle",
                size: 12,
                fill: ReportStyle.muted,
                rotate: -90,
                baseline: "central"
            )
            canvas.text(
                self.columnAxis,
                x: left + grid / 2,
                y: height - 8,
                anchor: "middle",
                size: 12,
                fill: ReportStyle.muted
            )
            self.drawColorKey(on: &canvas, x: left + grid + 22, top: top, height: min(max(gridHeight, 100), 220))
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
