import Foundation

extension ClassificationMetrics {
    /// A plain-text report: headline scores, a per-class table and the confusion matrix.
    package func table() -> String {
        var lines: [String] = []
        lines.append("examples  \(self.count)")
        lines.append(String(format: "accuracy  %.4f", self.accuracy))
        lines.append(
            String(
                format: "macro     precision %.4f  recall %.4f  F1 %.4f",
                self.macroPrecision,
                self.macroRecall,
                self.macroF1
            )
        )
        if let binary = self.binary { lines += binary.tableLines(positiveName: self.classNames.last ?? "1") }
        lines.append("")
        let nameWidth = Swift.max(5, self.classNames.map(\.count).max() ?? 0)
        lines.append(pad("class", nameWidth) + "  precision  recall      F1  support")
        for score in self.perClass {
            lines.append(
                pad(score.name, nameWidth)
                    + String(
                        format: "  %9.4f  %6.4f  %6.4f  %7d",
                        score.precision,
                        score.recall,
                        score.f1,
                        score.support
                    )
            )
        }
        lines.append("")
        lines.append("confusion (rows: true, columns: predicted)")
        let cellWidth = Swift.max(nameWidth, String(self.confusion.flatMap { $0 }.max() ?? 0).count)
        lines.append(
            pad("", nameWidth) + " " + self.classNames.map { pad($0, cellWidth, right: true) }.joined(separator: " ")
        )
        for (t, row) in self.confusion.enumerated() {
            lines.append(
                pad(self.classNames[t], nameWidth) + " "
                    + row.map { pad(String($0), cellWidth, right: true) }.joined(separator: " ")
            )
        }
        return lines.joined(separator: "\n")
    }

    /// The report as JSON for scripts: headline scores, per-class scores and the matrix.
    package func json() throws -> Data {
        struct Report: Encodable {
            var examples: Int
            var accuracy: Double
            var macroPrecision: Double
            var macroRecall: Double
            var macroF1: Double
            var perClass: [ClassScore]
            var confusion: [[Int]]
            var classNames: [String]
            var binary: BinaryMetrics.Report?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(
            Report(
                examples: self.count,
                accuracy: self.accuracy,
                macroPrecision: self.macroPrecision,
                macroRecall: self.macroRecall,
                macroF1: self.macroF1,
                perClass: self.perClass,
                confusion: self.confusion,
                classNames: self.classNames,
                binary: self.binary.map(\.report)
            )
        )
    }
}

private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: Swift.max(0, width - text.count))
    return right ? padding + text : text + padding
}
