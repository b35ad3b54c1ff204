/// Grid lines, ticks, tick labels and axis titles shared by the line and bar charts, so
/// every chart's axes look alike.
package enum ChartAxes {
    /// Draws a horizontal grid at the y ticks, the y axis with labels, and, when `x` is
    /// given, the x axis with its ticks and labels.
    package static func draw(
        on canvas: inout SVGCanvas,
        x: ChartScale?,
        y: ChartScale,
        frame: (left: Double, right: Double, top: Double, bottom: Double),
        xLabel: String?,
        yLabel: String
    ) {
        for tick in y.ticks {
            let py = y.position(tick)
            canvas.line(x1: frame.left, y1: py, x2: frame.right, y2: py, stroke: ReportStyle.grid)
            canvas.text(
                y.label(tick),
                x: frame.left - 8,
                y: py,
                anchor: "end",
                size: 12,
                fill: ReportStyle.muted,
                baseline: "central"
            )
        }
        canvas.line(
            x1: frame.left,
            y1: frame.top,
            x2: frame.left,
            y2: frame.bottom,
            stroke: ReportStyle.axis
        )
        canvas.line(
            x1: frame.left,
            y1: frame.bottom,
            x2: frame.right,
            y2: frame.bottom,
            stroke: ReportStyle.axis
        )
        canvas.text(
            yLabel,
            x: 14,
            y: (frame.top + frame.bottom) / 2,
            anchor: "middle",
            size: 13,
            fill: ReportStyle.muted,
            rotate: -90,
            baseline: "central"
        )
        guard let x else { return }
        for tick in x.ticks {
            let px = x.position(tick)
            canvas.line(x1: px, y1: frame.bottom, x2: px, y2: frame.bottom + 5, stroke: ReportStyle.axis)
            canvas.text(x.label(tick), x: px, y: frame.bottom + 19, anchor: "middle", size: 12, fill: ReportStyle.muted)
        }
        if let xLabel {
            canvas.text(
                xLabel,
                x: (frame.left + frame.right) / 2,
                y: frame.bottom + 39,
                anchor: "middle",
                size: 13,
                fill: ReportStyle.muted
            )
        }
    }
}
