/// Grouped vertical bars, one group per category (a site) and one bar per series (site
/// alone, global model), with one category marked — the worst site — so it is plain
/// whom federation serves least.
package struct BarChart {
    /// One bar per category, e.g. the global model's accuracy on each site.
    package struct Series {
        package var name: String
        package var color: String
        /// One value per category; nil or non-finite draws no bar and writes "—".
        package var values: [Double?]
    }

    package var title: String
    package var description: String
    package var id: String
    package var categories: [String]
    package var series: [Series]
    package var yLabel: String
    /// The category to mark, and the words of the mark.
    package var highlighted: Int? = nil
    package var highlightLabel: String = "worst"
    /// The viewBox width: 640 in a half-width panel, about 1180 across the page.
    package var width: Double = 640
    /// A short second line under each category's label, e.g. "n = 4" for the test examples
    /// its bars rest on; nil draws none.
    package var sublabels: [String]? = nil

    /// The chart as an inline `<svg>`.
    package func svg() -> String {
        let count = max(self.categories.count, 1)
        let left = 58.0
        let right = self.width - 12
        let groupWidth = (right - left) / Double(count)
        // Category labels lie flat (cut to fit) under groups wide enough for a dozen
        // characters, and tilt under narrower groups.
        let flatLimit = max(3, Int((groupWidth - 8) / (12 * 0.6)))
        let longest = self.categories.map(\.count).max() ?? 0
        let tilted = longest > flatLimit && flatLimit < 12
        let tiltLimit = 18
        let labelDepth =
            tilted
            ? SVGCanvas.textWidth(String(repeating: "n", count: min(longest, tiltLimit)), size: 12) * 0.64 + 22 : 26
        let height = 300 + labelDepth
        var canvas = SVGCanvas(width: self.width, height: height)

        var x = 58.0
        for series in self.series {
            canvas.rect(x: x, y: 8, width: 14, height: 12, fill: series.color, radius: 2)
            canvas.text(series.name, x: x + 20, y: 14, size: 13, baseline: "central")
            x += 20 + SVGCanvas.textWidth(series.name, size: 13) + 24
        }
        if self.highlighted != nil {
            canvas.text(
                "▼ \(self.highlightLabel)",
                x: x,
                y: 14,
                size: 13,
                fill: ReportStyle.vermillion,
                weight: "600",
                baseline: "central"
            )
        }

        let frame = (left: left, right: right, top: 44.0, bottom: 280.0)
        let values: [Double] = self.series.flatMap { $0.values.compactMap { $0 } } + [0]
        let y = ChartScale(covering: values, tickCount: 6, range: (frame.bottom, frame.top), clamp: 0...1)
        ChartAxes.draw(on: &canvas, x: nil, y: y, frame: frame, xLabel: nil, yLabel: self.yLabel)

        if self.categories.isEmpty {
            canvas.text(
                "No per-site results",
                x: (left + right) / 2,
                y: (frame.top + frame.bottom) / 2,
                anchor: "middle",
                size: 13,
                fill: ReportStyle.muted
            )
        }
        let barCount = Double(max(self.series.count, 1))
        let inner = groupWidth * 0.76
        let barWidth = min(inner / barCount, 46)
        let showValues = barWidth >= 24
        for (index, category) in self.categories.enumerated() {
            let center = left + groupWidth * (Double(index) + 0.5)
            let start = center - barWidth * barCount / 2
            if index == self.highlighted {
                canvas.rect(
                    x: left + groupWidth * Double(index) + 2,
                    y: frame.top,
                    width: groupWidth - 4,
                    height: frame.bottom - frame.top,
                    fill: "#fbeee6",
                    radius: 4
                )
                canvas.text(
                    "▼",
                    x: center,
                    y: frame.top + 2,
                    anchor: "middle",
                    size: 12,
                    fill: ReportStyle.vermillion,
                    baseline: "hanging"
                )
            }
            for (s, series) in self.series.enumerated() {
                let barX = start + Double(s) * barWidth
                guard index < series.values.count, let value = series.values[index], value.isFinite else {
                    canvas.text(
                        ReportFormat.missing,
                        x: barX + barWidth / 2,
                        y: frame.bottom - 6,
                        anchor: "middle",
                        size: 11,
                        fill: ReportStyle.muted
                    )
                    continue
                }
                let top = y.position(max(value, y.lower))
                canvas.rect(
                    x: barX + 1,
                    y: top,
                    width: barWidth - 2,
                    height: frame.bottom - top,
                    fill: series.color,
                    radius: 1.5,
                    tooltip: "\(category) — \(series.name): \(ReportFormat.decimal(value))"
                )
                if showValues {
                    canvas.text(
                        ReportFormat.decimal(value, digits: 2),
                        x: barX + barWidth / 2,
                        y: top - 4,
                        anchor: "middle",
                        size: 11,
                        fill: ReportStyle.ink
                    )
                }
            }
            let labelColor = index == self.highlighted ? ReportStyle.vermillion : ReportStyle.ink
            let weight = index == self.highlighted ? "600" : nil
            let sublabel = self.sublabels.flatMap { index < $0.count ? $0[index] : nil }
            if let sublabel {
                // Under flat labels it is a second line; under tilted ones it sits right below the axis.
                canvas.text(
                    sublabel,
                    x: center,
                    y: tilted ? frame.bottom + 12 : frame.bottom + 35,
                    anchor: "middle",
                    size: 11,
                    fill: ReportStyle.muted
                )
            }
            if tilted {
                canvas.text(
                    category.truncated(to: tiltLimit),
                    x: center,
                    y: frame.bottom + 14 + (sublabel == nil ? 0 : 14),
                    anchor: "end",
                    size: 12,
                    fill: labelColor,
                    weight: weight,
                    rotate: -40,
                    tooltip: category
                )
            } else {
                canvas.text(
                    category.truncated(to: flatLimit),
                    x: center,
                    y: frame.bottom + 19,
                    anchor: "middle",
                    size: 12,
                    fill: labelColor,
                    weight: weight,
                    tooltip: category
                )
            }
        }
        return canvas.render(title: self.title, description: self.description, id: self.id)
    }
}
