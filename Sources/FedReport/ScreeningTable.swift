/// The models as screening tests for the positive class, one row per model with a screening
/// result: sensitivity, specificity, ROC-AUC and precision with the best of each in bold,
/// and the counts behind them.
package enum ScreeningTable {
    /// The positive class the baselines were screened for; nil when none was.
    package static func positiveClass(of baselines: [BaselineResult]) -> String? {
        baselines.lazy.compactMap(\.metrics.screening).first?.positiveClass
    }

    /// The `<table>`; empty text when no baseline carries a screening result.
    package static func html(for baselines: [BaselineResult]) -> String {
        let screened = baselines.filter { $0.metrics.screening != nil }
        guard !screened.isEmpty else { return "" }
        typealias Column = (title: String, value: (ScreeningSummary) -> Double)
        let columns: [Column] = [
            ("Sensitivity", \.sensitivity), ("Specificity", \.specificity), ("ROC-AUC", \.rocAUC),
            ("Precision", \.precision),
        ]
        let best: [Double?] = columns.map { column in
            screened.compactMap { $0.metrics.screening.map(column.value) }.filter(\.isFinite).max()
        }
        var rows: [String] = []
        for baseline in screened {
            let screening = baseline.metrics.screening!
            var cells = [ComparisonTable.nameCell(baseline)]
            for (index, column) in columns.enumerated() {
                let value = column.value(screening)
                let text = ReportFormat.decimal(value)
                let isBest = value.isFinite && best[index].map { abs($0 - value) < 1e-12 } == true
                cells.append(
                    isBest ? "<td class=\"num best\"><strong>\(text)</strong></td>" : "<td class=\"num\">\(text)</td>"
                )
            }
            for count in [
                screening.truePositives, screening.falseNegatives, screening.trueNegatives, screening.falsePositives,
            ] {
                cells.append("<td class=\"num count\">\(ReportFormat.integer(count))</td>")
            }
            rows.append("<tr class=\"kind-\(baseline.kind.rawValue)\">\(cells.joined())</tr>")
        }
        let counts = [
            ("TP", "positives called positive"), ("FN", "positives missed"), ("TN", "negatives cleared"),
            ("FP", "false alarms"),
        ]
        let head =
            columns.map { "<th scope=\"col\" class=\"num\">\($0.title)</th>" }.joined()
            + counts.map { "<th scope=\"col\" class=\"num\" title=\"\($0.1)\">\($0.0)</th>" }.joined()
        return """
            <table class="data screening">
            <thead><tr><th scope="col">Model</th>\(head)</tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            """
    }
}
