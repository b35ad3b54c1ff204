/// Initialisers other targets use to draw the report's line charts (the live status page
/// of FedObserve), so the chart code lives in one place.
extension LineChart {
    /// The chart of `series` (labelled apart from the memberwise initialiser, which is internal).
    package init(
        titled title: String, description: String, id: String, xLabel: String, yLabel: String, series: [Series],
        references: [Reference] = [], clamp: ClosedRange<Double>? = nil, digits: Int = 3, width: Double = 640
    ) {
        self.title = title
        self.description = description
        self.id = id
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.references = references
        self.clamp = clamp
        self.digits = digits
        self.width = width
    }
}

extension LineChart.Series {
    package init(named name: String, color: String, points: [(x: Double, y: Double)], dash: String? = nil) {
        self.name = name
        self.color = color
        self.points = points
        self.dash = dash
    }
}

extension LineChart.Reference {
    package init(named name: String, value: Double, color: String, dash: String) {
        self.name = name
        self.value = value
        self.color = color
        self.dash = dash
    }
}
