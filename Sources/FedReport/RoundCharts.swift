/// The report's per-round charts beyond the global model: each site's training curve and
/// its held-out score of the global model, the bytes and seconds a round took, and the
/// update norms and clip factors. Each returns nil when the run recorded nothing for it.
package enum RoundCharts {
    /// More sites than this are drawn as their spread (lowest, median, highest) per round
    /// instead of one line each, which would be unreadable.
    package static let maximumSiteLines = 12

    /// Colours for one line per site: Okabe-Ito first, then Tol's muted palette.
    static let siteColors = [
        ReportStyle.blue, ReportStyle.orange, ReportStyle.green, ReportStyle.vermillion, ReportStyle.purple,
        ReportStyle.sky, "#332288", "#117733", "#882255", "#999933", "#44AA99", "#AA4499",
    ]

    /// One series per site (in the order sites first appear), or the sites' spread per
    /// round when there are more than `maximumSiteLines`, of `value` of each reported site.
    static func siteSeries(_ summary: RunSummary, _ value: (RoundSite) -> Double?) -> [LineChart.Series] {
        var names: [String] = []
        var points: [String: [(x: Double, y: Double)]] = [:]
        for round in summary.rounds {
            for site in round.sites ?? [] {
                guard let y = value(site), y.isFinite else { continue }
                if points[site.name] == nil { names.append(site.name) }
                points[site.name, default: []].append((Double(round.round), y))
            }
        }
        let order = summary.sites.map(\.name).filter { points[$0] != nil }
        names = order + names.filter { !order.contains($0) }
        if names.count <= self.maximumSiteLines {
            return names.enumerated().map { index, name in
                LineChart.Series(name: name, color: self.siteColors[index % self.siteColors.count], points: points[name]!)
            }
        }
        var spread: [(x: Double, low: Double, median: Double, high: Double)] = []
        for round in summary.rounds {
            let values = (round.sites ?? []).compactMap(value).filter(\.isFinite).sorted()
            guard !values.isEmpty else { continue }
            spread.append((Double(round.round), values[0], values[values.count / 2], values[values.count - 1]))
        }
        return [
            .init(name: "Highest site", color: ReportStyle.green, points: spread.map { ($0.x, $0.high) }, dash: "5 3"),
            .init(name: "Median site", color: ReportStyle.blue, points: spread.map { ($0.x, $0.median) }),
            .init(name: "Lowest site", color: ReportStyle.vermillion, points: spread.map { ($0.x, $0.low) }, dash: "5 3"),
        ]
    }

    /// Each site's training loss or accuracy per round, as it reported it with its update.
    package static func siteTraining(_ summary: RunSummary, accuracy: Bool, width: Double = 640) -> String? {
        let series = self.siteSeries(summary) { accuracy ? $0.trainAccuracy : $0.trainLoss }
        guard !series.isEmpty else { return nil }
        let measure = accuracy ? "accuracy" : "loss"
        return LineChart(
            title: "Each site's training \(measure) per round",
            description: "The training \(measure) each site reported with its update, per round"
                + (series.count == 3 && self.siteCount(summary) > self.maximumSiteLines
                    ? ": the lowest, median and highest site." : ", one line per site."),
            id: accuracy ? "chart-site-train-accuracy" : "chart-site-train-loss",
            xLabel: "Round",
            yLabel: accuracy ? "Train accuracy" : "Train loss",
            series: series,
            references: [],
            clamp: accuracy ? 0...1 : 0...Double.greatestFiniteMagnitude,
            width: width
        ).svg()
    }

    /// Each round's global model on each site's held-out data, with the sites' mean.
    package static func siteHeldOut(_ summary: RunSummary, width: Double = 640) -> String? {
        var series = self.siteSeries(summary) { $0.heldOutAccuracy }
        guard !series.isEmpty else { return nil }
        let mean = summary.rounds.compactMap { r in r.sitesHeldOutAccuracy.map { (x: Double(r.round), y: $0) } }
        if !mean.isEmpty {
            series.append(.init(name: "Sites' mean (weighted)", color: ReportStyle.ink, points: mean, dash: "2 2"))
        }
        return LineChart(
            title: "Global model on each site's held-out data",
            description: "Accuracy of each round's global model on each site's own held-out examples"
                + (mean.isEmpty ? "." : ", and the example-weighted mean the sites reported."),
            id: "chart-site-heldout",
            xLabel: "Round",
            yLabel: "Accuracy on the site's data",
            series: series,
            references: [],
            clamp: 0...1,
            width: width
        ).svg()
    }

    /// Training examples per class at each site: the label skew a non-IID study is about.
    package static func labels(_ summary: RunSummary, wide: Bool = false) -> String? {
        let sites = summary.sites.filter { $0.classCounts != nil }
        guard !sites.isEmpty, !summary.classNames.isEmpty || sites.contains(where: { !($0.classCounts ?? []).isEmpty })
        else { return nil }
        var map = HeatMap(
            title: "Label distribution: training examples per class at each site",
            description: "Rows are the \(sites.count) sites and columns the classes; each cell is shaded by its share "
                + "of the site's training examples and shows their count.",
            id: "chart-labels",
            classNames: summary.classNames,
            counts: sites.map { $0.classCounts ?? [] },
            maxGrid: wide ? 660 : 460
        )
        map.rowNames = sites.map(\.name)
        map.rowAxis = "Site"
        map.columnAxis = "Class"
        map.boldDiagonal = false
        map.tooltip = { site, label, count, share in
            "\(site): \(count) training examples of \(label) (\(ReportFormat.percent(share, digits: 1)) of the site)"
        }
        return map.svg()
    }

    /// The bytes each round moved: trainable tensors out and updates back (the base model,
    /// a one-off, is left to the caption and the communication card).
    package static func bytes(_ summary: RunSummary, width: Double = 640) -> String? {
        let rounds = summary.rounds.filter { $0.bytesSent != nil }
        guard !rounds.isEmpty else { return nil }
        let largest = rounds.compactMap(\.roundTrafficBytes).max() ?? 0
        let (unit, scale) = self.byteUnit(largest)
        func points(_ value: (RoundMetrics) -> Int?) -> [(x: Double, y: Double)] {
            rounds.compactMap { r in value(r).map { (Double(r.round), Double($0) / scale) } }
        }
        var series = [LineChart.Series(name: "Per round, all", color: ReportStyle.ink, points: points(\.roundTrafficBytes))]
        let out = points(\.trainableBytes)
        let back = points(\.updateBytes)
        if !out.isEmpty, out.map(\.x) == back.map(\.x), out.map(\.y) == back.map(\.y) {
            // Uncompressed, an update is as large as the tensors sent: one line, not one hiding the other.
            series.append(.init(name: "Model out = updates back", color: ReportStyle.blue, points: out, dash: "5 3"))
        } else {
            if !out.isEmpty {
                series.append(.init(name: "Model out to sites", color: ReportStyle.blue, points: out, dash: "5 3"))
            }
            if !back.isEmpty {
                series.append(.init(name: "Updates back", color: ReportStyle.orange, points: back, dash: "2 2"))
            }
        }
        return LineChart(
            title: "Bytes per round",
            description: "Blob bytes each round moved over the wire in \(unit): the trainable tensors sent out and the "
                + "updates sent back; the base model, sent once, is not counted here.",
            id: "chart-bytes",
            xLabel: "Round",
            yLabel: unit,
            series: series,
            references: [],
            clamp: 0...Double.greatestFiniteMagnitude,
            digits: 2,
            width: width
        ).svg()
    }

    /// Seconds from each round's opening to its close.
    package static func seconds(_ summary: RunSummary, width: Double = 640) -> String? {
        var points = summary.rounds.compactMap { r in r.seconds.map { (x: Double(r.round), y: $0) } }
        guard !points.isEmpty else { return nil }
        // Rounds in process take milliseconds: shown as such, the axis keeps short numbers.
        let milliseconds = (points.map(\.y).max() ?? 0) < 1
        if milliseconds { points = points.map { ($0.x, $0.y * 1000) } }
        return LineChart(
            title: "Seconds per round",
            description: "Wall-clock seconds from each round's opening to its close: local training, transfer and "
                + "aggregation.",
            id: "chart-seconds",
            xLabel: "Round",
            yLabel: milliseconds ? "Milliseconds" : "Seconds",
            series: [.init(name: "Round time", color: ReportStyle.purple, points: points)],
            references: [],
            clamp: 0...Double.greatestFiniteMagnitude,
            digits: 2,
            width: width
        ).svg()
    }

    /// Each site's update norm per round, before clipping.
    package static func norms(_ summary: RunSummary, width: Double = 640) -> String? {
        let series = self.siteSeries(summary) { $0.updateNorm }
        guard !series.isEmpty else { return nil }
        return LineChart(
            title: "Update norm per round",
            description: "L2 norm of each site's update as the coordinator received it, before any clipping.",
            id: "chart-norms",
            xLabel: "Round",
            yLabel: "‖update‖₂",
            series: series,
            references: [],
            clamp: 0...Double.greatestFiniteMagnitude,
            width: width
        ).svg()
    }

    /// Each site's clip factor per round; nil when no update was ever clipped.
    package static func clipFactors(_ summary: RunSummary, width: Double = 640) -> String? {
        let clipped = summary.rounds.contains { ($0.sites ?? []).contains { ($0.clipScale ?? 1) < 1 } }
        guard clipped else { return nil }
        return LineChart(
            title: "Clip factor per round",
            description: "The factor clipping scaled each site's update by (1: not clipped).",
            id: "chart-clip",
            xLabel: "Round",
            yLabel: "Clip factor",
            series: self.siteSeries(summary) { $0.clipScale },
            references: [],
            clamp: 0...1,
            width: width
        ).svg()
    }

    /// The number of distinct sites named in the rounds.
    static func siteCount(_ summary: RunSummary) -> Int {
        Set(summary.rounds.flatMap { ($0.sites ?? []).map(\.name) }).count
    }

    /// The unit that shows `largest` bytes as a number of one to three digits, and its size.
    static func byteUnit(_ largest: Int) -> (String, Double) {
        if largest >= 1_000_000_000 { return ("GB", 1e9) }
        if largest >= 1_000_000 { return ("MB", 1e6) }
        if largest >= 1_000 { return ("kB", 1e3) }
        return ("bytes", 1)
    }
}
