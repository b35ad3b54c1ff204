/// A line chart of a measure per round, with baselines as labelled horizontal dashed
/// lines, so one look tells whether the federation climbs past sites alone and how far it
/// stays below centralised.
package struct LineChart {
    /// One measured line, e.g. the global model's accuracy per round.
    package struct Series {
        package var name: String
        package var color: String
        package var points: [(x: Double, y: Double)]
        package var dash: String? = nil
    }

    /// A constant drawn across the plot, e.g. the centralised model's accuracy.
    package struct Reference {
        package var name: String
        package var value: Double
        package var color: String
        package var dash: String
    }

    package var title: String
    package var description: String
    package var id: String
    package var xLabel: String
    package var yLabel: String
    package var series: [Series]
    package var references: [Reference]
    /// Bounds the value axis (0…1 for accuracies) unless the data leaves it.
    package var clamp: ClosedRange<Double>? = nil
    /// Digits of values in tooltips and reference labels.
    package var digits: Int = 3
    /// The viewBox width: 640 in a half-width panel, about 1180 across the page.
    package var width: Double = 640

    private static let height = 320.0

    /// The chart as an inline `<svg>`.
    package func svg() -> String {
        let references = self.references.filter { $0.value.isFinite }
        let plotted = self.series.map { series in
            Series(
                name: series.name,
                color: series.color,
                points: series.points.filter { $0.x.isFinite },
                dash: series.dash
            )
        }
        var canvas = SVGCanvas(width: self.width, height: Self.height)
        let legendRows = self.drawLegend(on: &canvas, series: plotted, references: references)
        // The right margin holds the reference labels: as wide as the longest, within limits.
        let longestLabel = references.map { SVGCanvas.textWidth($0.name.truncated(to: 18), size: 12) }.max()
        let labelWidth = longestLabel.map { min(150, max(64, $0 + 18)) } ?? 16
        let frame = (
            left: 58.0, right: self.width - labelWidth, top: 26.0 + Double(legendRows) * 20, bottom: Self.height - 46
        )

        let xs = plotted.flatMap { $0.points.map(\.x) }
        let ys = plotted.flatMap { $0.points.map(\.y) } + references.map(\.value)
        let x = ChartScale(covering: xs, tickCount: 8, range: (frame.left, frame.right), integral: true)
        let y = ChartScale(covering: ys, tickCount: 6, range: (frame.bottom, frame.top), clamp: self.clamp)

        ChartAxes.draw(
            on: &canvas,
            x: x,
            y: y,
            frame: frame,
            xLabel: self.xLabel,
            yLabel: self.yLabel
        )
        for reference in references {
            canvas.line(
                x1: frame.left,
                y1: y.position(reference.value),
                x2: frame.right,
                y2: y.position(reference.value),
                stroke: reference.color,
                width: 1.75,
                dash: reference.dash
            )
        }
        self.drawReferenceLabels(on: &canvas, references: references, y: y, frame: frame)

        if xs.isEmpty {
            canvas.text(
                "No rounds recorded",
                x: (frame.left + frame.right) / 2,
                y: (frame.top + frame.bottom) / 2,
                anchor: "middle",
                size: 13,
                fill: ReportStyle.muted
            )
        }
        for series in plotted {
            for segment in Self.segments(series.points) {
                canvas.polyline(
                    segment.map { (x.position($0.x), y.position($0.y)) },
                    stroke: series.color,
                    width: 2.25,
                    dash: series.dash
                )
            }
            let radius = series.points.count > 40 ? 2.0 : 3.5
            for point in series.points where point.y.isFinite {
                canvas.circle(
                    cx: x.position(point.x),
                    cy: y.position(point.y),
                    r: radius,
                    fill: "#ffffff",
                    stroke: series.color,
                    tooltip:
                        "\(series.name), round \(Int(point.x)): \(ReportFormat.decimal(point.y, digits: self.digits))"
                )
            }
        }
        return canvas.render(title: self.title, description: self.description, id: self.id)
    }

    /// Runs of consecutive finite points: a NaN round breaks the line instead of
    /// dragging it to zero.
    private static func segments(_ points: [(x: Double, y: Double)]) -> [[(x: Double, y: Double)]] {
        var out: [[(x: Double, y: Double)]] = [[]]
        for point in points {
            if point.y.isFinite {
                out[out.count - 1].append(point)
            } else if !(out.last?.isEmpty ?? true) {
                out.append([])
            }
        }
        return out.filter { $0.count > 1 }
    }

    /// The legend across the top, wrapping onto more rows when it does not fit; returns
    /// the number of rows used.
    private func drawLegend(on canvas: inout SVGCanvas, series: [Series], references: [Reference]) -> Int {
        var items: [(name: String, color: String, dash: String?, marker: Bool)] = series.map {
            ($0.name, $0.color, $0.dash, true)
        }
        items += references.map { ($0.name, $0.color, $0.dash, false) }
        var x = 58.0
        var row = 0
        for item in items {
            let name = item.name.truncated(to: 28)
            let itemWidth = 30 + SVGCanvas.textWidth(name, size: 13) + 18
            if x + itemWidth > self.width - 8 && x > 58 {
                row += 1
                x = 58
            }
            let cy = 12.0 + Double(row) * 20
            canvas.line(x1: x, y1: cy, x2: x + 24, y2: cy, stroke: item.color, width: 2.25, dash: item.dash)
            if item.marker { canvas.circle(cx: x + 12, cy: cy, r: 3.5, fill: "#ffffff", stroke: item.color) }
            canvas.text(name, x: x + 30, y: cy, size: 13, fill: ReportStyle.ink, baseline: "central")
            x += itemWidth
        }
        return items.isEmpty ? 0 : row + 1
    }

    /// Names and values of the reference lines in the right margin, nudged apart so
    /// close baselines never print over each other.
    private func drawReferenceLabels(
        on canvas: inout SVGCanvas,
        references: [Reference],
        y: ChartScale,
        frame: (left: Double, right: Double, top: Double, bottom: Double)
    ) {
        let spacing = 30.0
        var placed = references.map { (reference: $0, y: y.position($0.value)) }.sorted { $0.y < $1.y }
        for index in placed.indices.dropFirst() where placed[index].y - placed[index - 1].y < spacing {
            placed[index].y = placed[index - 1].y + spacing
        }
        // If the stack ran off the bottom, push it back up.
        if let last = placed.last, last.y > frame.bottom + 6 {
            let shift = last.y - (frame.bottom + 6)
            for index in placed.indices { placed[index].y -= shift }
        }
        for item in placed {
            let actual = y.position(item.reference.value)
            if abs(actual - item.y) > 1 {
                canvas.line(
                    x1: frame.right + 2,
                    y1: actual,
                    x2: frame.right + 8,
                    y2: item.y - 4,
                    stroke: item.reference.color,
                    width: 1
                )
            }
            canvas.text(
                item.reference.name.truncated(to: 18),
                x: frame.right + 10,
                y: item.y - 5,
                size: 12,
                fill: item.reference.color,
                weight: "600",
                baseline: "central",
                tooltip: item.reference.name
            )
            canvas.text(
                ReportFormat.decimal(item.reference.value, digits: self.digits),
                x: frame.right + 10,
                y: item.y + 10,
                size: 12,
                fill: ReportStyle.muted,
                baseline: "central"
            )
        }
    }
}
