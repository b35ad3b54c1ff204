/// The report's answer in one line: does federation beat each site alone, and how much
/// of the gap to centralised (pooled) training does it close?
///
/// gap closed = (federated − sites alone) / (centralised − sites alone); 100% means the
/// federation matched pooling the data without moving it.
package struct Verdict: Sendable, Equatable {
    package var federated: Double?
    package var sitesAlone: Double?
    package var centralised: Double?

    /// Picks the numbers from `summary`: the federated baseline (else the last round),
    /// the sites-alone mean (else the mean of the site-alone baselines), centralised.
    package init(_ summary: RunSummary) {
        self.federated = summary.baseline(.federated)?.metrics.accuracy ?? summary.rounds.last?.accuracy
        let alone = summary.baselines.filter { $0.kind == .siteAlone }.map(\.metrics.accuracy)
        self.sitesAlone =
            summary.baseline(.sitesAloneMean)?.metrics.accuracy
            ?? (alone.isEmpty ? nil : alone.reduce(0, +) / Double(alone.count))
        self.centralised = summary.baseline(.centralised)?.metrics.accuracy
    }

    package init(federated: Double?, sitesAlone: Double?, centralised: Double?) {
        self.federated = federated
        self.sitesAlone = sitesAlone
        self.centralised = centralised
    }

    /// The share of the sites-alone-to-centralised gap the federation closes, or nil when
    /// a number is missing or centralised does not beat sites alone.
    package var gapClosed: Double? {
        guard let f = self.federated, let s = self.sitesAlone, let c = self.centralised,
            f.isFinite, s.isFinite, c.isFinite, c - s > 1e-9
        else { return nil }
        return (f - s) / (c - s)
    }

    /// The verdict as plain text, e.g. "federated 0.842 vs sites alone 0.761 (mean),
    /// centralised 0.861: closes 79% of the gap"; nil without a federated number.
    package var sentence: String? {
        guard let federated = self.federated else { return nil }
        var parts = ["federated \(ReportFormat.decimal(federated))"]
        if let sitesAlone { parts.append("vs sites alone \(ReportFormat.decimal(sitesAlone)) (mean)") }
        var line = parts.joined(separator: " ")
        if let centralised { line += ", centralised \(ReportFormat.decimal(centralised))" }
        if let gap = self.gapClosed {
            line +=
                gap > 1
                ? ": beats centralised (\(ReportFormat.percent(gap)) of the gap)"
                : ": closes \(ReportFormat.percent(gap)) of the gap"
        } else if let s = self.sitesAlone, let c = self.centralised, s.isFinite, c.isFinite {
            line += ": centralised does not beat sites alone, so there is no gap to close"
        }
        return line
    }

    /// Whether the federated model beats the sites-alone mean (nil when unknown).
    package var beatsSitesAlone: Bool? {
        guard let f = self.federated, let s = self.sitesAlone, f.isFinite, s.isFinite else { return nil }
        return f > s
    }
}
