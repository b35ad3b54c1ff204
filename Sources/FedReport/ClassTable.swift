/// Per-class precision, recall and F1 of the federated model, beside the centralised
/// model's F1 when there is one, so classes that federation serves badly stand out.
package enum ClassTable {
    /// The `<table>`; empty text when the model has no per-class metrics.
    package static func html(federated: MetricsSummary, centralised: MetricsSummary?) -> String {
        guard !federated.perClass.isEmpty else { return "" }
        let reference = centralised.flatMap { $0.perClass.isEmpty ? nil : $0 }
        var rows: [String] = []
        for (index, metrics) in federated.perClass.enumerated() {
            var cells = [
                "<th scope=\"row\">\(metrics.name.htmlEscaped)</th>",
                "<td class=\"num\">\(ReportFormat.integer(metrics.support))</td>",
                "<td class=\"num\">\(ReportFormat.decimal(metrics.precision))</td>",
                "<td class=\"num\">\(ReportFormat.decimal(metrics.recall))</td>",
                Self.barCell(metrics.f1, color: ReportStyle.color(for: .federated)),
            ]
            if let reference {
                let other =
                    reference.perClass.first { $0.name == metrics.name }
                    ?? (index < reference.perClass.count ? reference.perClass[index] : nil)
                cells.append(Self.barCell(other?.f1, color: ReportStyle.color(for: .centralised)))
                let delta = other.map { metrics.f1 - $0.f1 }
                let tone = delta.map { $0.isFinite && $0 < -0.05 ? " worse" : "" } ?? ""
                cells.append("<td class=\"num delta\(tone)\">\(ReportFormat.signed(delta))</td>")
            }
            rows.append("<tr>\(cells.joined())</tr>")
        }
        let extra =
            reference == nil
            ? "" : "<th scope=\"col\" class=\"num\">F1 centralised</th><th scope=\"col\" class=\"num\">Δ F1</th>"
        return """
            <table class="data classes">
            <thead><tr><th scope="col">Class</th><th scope="col" class="num">Support</th>\
            <th scope="col" class="num">Precision</th><th scope="col" class="num">Recall</th>\
            <th scope="col" class="num">F1 federated</th>\(extra)</tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            """
    }

    /// A value with a thin bar under it whose length is the value (0…1).
    private static func barCell(_ value: Double?, color: String) -> String {
        let fraction = value.map { $0.isFinite ? min(1, max(0, $0)) : 0 } ?? 0
        return """
            <td class="num bar-cell">\(ReportFormat.decimal(value))\
            <span class="bar" style="width:calc((100% - 16px) * \(ReportFormat.decimal(fraction)));background:\(color)"></span></td>
            """
    }
}
