/// The table that compares every model on the global test set, one row per baseline,
/// with the best value of each column in bold so the winner needs no reading.
package enum ComparisonTable {
    /// The `<table>`; empty text when there are no baselines.
    package static func html(for baselines: [BaselineResult]) -> String {
        guard !baselines.isEmpty else { return "" }
        typealias Column = (title: String, value: (MetricsSummary) -> Double?, higherIsBetter: Bool)
        let columns: [Column] = [
            ("Accuracy", { $0.accuracy }, true),
            ("Macro precision", { $0.macroPrecision }, true),
            ("Macro recall", { $0.macroRecall }, true),
            ("Macro F1", { $0.macroF1 }, true),
            ("Loss", { $0.loss }, false),
        ]
        let best: [Double?] = columns.map { column in
            let values = baselines.compactMap { column.value($0.metrics) }.filter(\.isFinite)
            return column.higherIsBetter ? values.max() : values.min()
        }
        var rows: [String] = []
        for baseline in baselines {
            var cells = [Self.nameCell(baseline)]
            for (index, column) in columns.enumerated() {
                let value = column.value(baseline.metrics)
                let text = ReportFormat.decimal(value)
                let isBest: Bool
                if let value, value.isFinite, let top = best[index] {
                    isBest = abs(top - value) < 1e-12
                } else {
                    isBest = false
                }
                cells.append(
                    isBest ? "<td class=\"num best\"><strong>\(text)</strong></td>" : "<td class=\"num\">\(text)</td>"
                )
            }
            rows.append("<tr class=\"kind-\(baseline.kind.rawValue)\">\(cells.joined())</tr>")
        }
        let head = columns.map { "<th scope=\"col\" class=\"num\">\($0.title)</th>" }.joined()
        return """
            <table class="data comparison">
            <thead><tr><th scope="col">Model</th>\(head)</tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            """
    }

    /// The model's name with a coloured swatch of its kind and its label, if any (the
    /// screening table's rows start with it too).
    static func nameCell(_ baseline: BaselineResult) -> String {
        let color = ReportStyle.color(for: baseline.kind)
        // The label is shown only when the name does not already say it.
        let label =
            baseline.label.flatMap {
                baseline.name.contains($0) ? nil : " <span class=\"label\">\($0.htmlEscaped)</span>"
            } ?? ""
        // The kind is named too, unless the name already says it.
        let says = baseline.name.lowercased().contains(baseline.kind.displayName.lowercased())
        let kind = says ? "" : " <span class=\"kind\">\(baseline.kind.displayName.htmlEscaped)</span>"
        return """
            <th scope="row"><span class="swatch" style="background:\(color)"></span>\(baseline.name.htmlEscaped)\(label)\(kind)</th>
            """
    }
}
