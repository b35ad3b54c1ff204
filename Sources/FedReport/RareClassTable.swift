/// The models read for the rare positive class, one row per model that carries rare-class
/// scores (every site alone included, so "beats every site" can be read off): PR-AUC, ROC-AUC,
/// recall at 1% FPR and the positive class's precision, recall and F1, the best of each in
/// bold, with the decision threshold and the counts behind the decisions.
package enum RareClassTable {
    /// The positive class the baselines were scored for; nil when none was.
    package static func positiveClass(of baselines: [BaselineResult]) -> String? {
        baselines.lazy.compactMap(\.metrics.rareClass).first?.positiveClass
    }

    /// The `<table>`; empty text when no baseline carries rare-class scores.
    package static func html(for baselines: [BaselineResult]) -> String {
        let scored = baselines.filter { $0.metrics.rareClass != nil }
        guard !scored.isEmpty else { return "" }
        let columns = RareClassSummary.columns
        let best: [Double?] = columns.map { column in
            scored.compactMap { $0.metrics.rareClass.map(column.value) }.filter(\.isFinite).max()
        }
        var rows: [String] = []
        for baseline in scored {
            let rare = baseline.metrics.rareClass!
            var cells = [ComparisonTable.nameCell(baseline)]
            for (index, column) in columns.enumerated() {
                let value = column.value(rare)
                let text = ReportFormat.decimal(value)
                let isBest = value.isFinite && best[index].map { abs($0 - value) < 1e-12 } == true
                cells.append(
                    isBest ? "<td class=\"num best\"><strong>\(text)</strong></td>" : "<td class=\"num\">\(text)</td>"
                )
            }
            // A mean over sites has no one threshold; a single model without one decides by argmax.
            let threshold =
                rare.threshold.map { ReportFormat.decimal($0, digits: 4) }
                ?? (rare.positives == nil ? ReportFormat.missing : "argmax")
            cells.append("<td class=\"num\">\(threshold)</td>")
            for count in [rare.truePositives, rare.falsePositives] {
                cells.append("<td class=\"num count\">\(ReportFormat.integer(count))</td>")
            }
            rows.append("<tr class=\"kind-\(baseline.kind.rawValue)\">\(cells.joined())</tr>")
        }
        let head =
            columns.map {
                "<th scope=\"col\" class=\"num\" title=\"\($0.hint.htmlEscaped)\">\($0.title.htmlEscaped)</th>"
            }.joined()
            + "<th scope=\"col\" class=\"num\" title=\"decision threshold on the positive class's probability\">"
            + "Threshold</th>"
            + "<th scope=\"col\" class=\"num\" title=\"positives called positive\">TP</th>"
            + "<th scope=\"col\" class=\"num\" title=\"false alarms\">FP</th>"
        return """
            <table class="data rare-class">
            <thead><tr><th scope="col">Model</th>\(head)</tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            """
    }

    /// The key-number card for the federated model: its PR-AUC, and how it compares with the
    /// best site alone; nil without rare-class scores.
    package static func card(_ summary: RunSummary) -> (key: String, value: String, sub: String)? {
        guard let federated = summary.baseline(.federated)?.metrics.rareClass else { return nil }
        let alone = summary.baselines.filter { $0.kind == .siteAlone }.compactMap(\.metrics.rareClass?.prAUC)
            .filter(\.isFinite)
        let sub =
            alone.max().map { ReportFormat.signed(federated.prAUC - $0) + " vs the best site alone" }
            ?? "\(federated.positiveClass) vs the rest, F1 \(ReportFormat.decimal(federated.f1))"
        return ("Federated PR-AUC", ReportFormat.decimal(federated.prAUC), sub)
    }
}
