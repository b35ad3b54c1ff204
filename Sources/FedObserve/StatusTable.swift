import FedReport

/// The text `fedtune status` prints: a headline, the sites and their state, and the last
/// rounds as a table.
package enum StatusTable {
    /// At most this many of the latest rounds are printed.
    package static let roundsShown = 20

    package static func text(_ status: FederationStatus) -> String {
        var lines = ["fedtune federation (\(status.source)): \(StatusPage.headline(status))"]
        var facts = ["sites connected: \(status.connected)"]
        if status.source == "state folder" { facts = [] }
        if let epsilon = status.epsilon {
            facts.append(
                "ε spent: \(ReportFormat.decimal(epsilon, digits: 2))"
                    + (status.targetEpsilon.map { " of \(ReportFormat.decimal($0, digits: 2))" } ?? "")
                    + (status.delta.map { " at δ \($0)" } ?? ""))
        }
        if !facts.isEmpty { lines.append(facts.joined(separator: "; ")) }
        if !status.sites.isEmpty {
            lines.append("")
            lines += self.table(
                ["site", "state"], status.sites.map { [$0.name, $0.state.rawValue] }, numeric: [false, false])
        }
        lines.append("")
        if status.rounds.isEmpty {
            lines.append("no round finished yet")
        } else {
            let shown = status.rounds.suffix(self.roundsShown)
            if shown.count < status.rounds.count {
                lines.append("the last \(shown.count) of \(status.rounds.count) rounds:")
            }
            let rows = shown.map { round in
                [
                    "\(round.round)", "\(round.reported)", "\(round.failed)", "\(round.examples)",
                    ReportFormat.decimal(round.seconds, digits: 1), ReportFormat.bytes(round.bytesOut),
                    ReportFormat.bytes(round.bytesIn), round.accuracy.map { ReportFormat.decimal($0) } ?? "-",
                    round.epsilon.map { ReportFormat.decimal($0, digits: 2) } ?? "-",
                ]
            }
            lines += self.table(
                ["round", "reported", "failed", "examples", "seconds", "sent", "received", "accuracy", "ε"], rows,
                numeric: Array(repeating: true, count: 9))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Columns padded to their widest cell; numbers right-aligned.
    private static func table(_ header: [String], _ rows: [[String]], numeric: [Bool]) -> [String] {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return numeric[index] ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingTrailingSpaces
        }
        return [line(header)] + rows.map(line)
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        String(self.reversed().drop { $0 == " " }.reversed())
    }
}
