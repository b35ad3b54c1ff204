/// Turns a summary into the report's four charts. Each returns nil when the run has
/// nothing to draw for it (no loss, no sites, no federated confusion matrix), and the
/// accuracy chart always draws, saying so when there are no rounds.
package enum ReportCharts {
    /// The baselines drawn as reference lines: pretrained, sites alone (mean) and
    /// centralised; the federated baseline is the line itself. `aloneMean` stands in for
    /// a missing sites-alone-mean baseline (the mean of the site-alone ones).
    private static func references(
        _ summary: RunSummary,
        aloneMean: Double?,
        value: (MetricsSummary) -> Double?
    ) -> [LineChart.Reference] {
        var out: [LineChart.Reference] = []
        for kind in [BaselineKind.pretrained, .sitesAloneMean, .centralised] {
            let v = summary.baseline(kind).flatMap { value($0.metrics) } ?? (kind == .sitesAloneMean ? aloneMean : nil)
            if let v {
                out.append(
                    .init(
                        name: kind.displayName,
                        value: v,
                        color: ReportStyle.color(for: kind),
                        dash: ReportStyle.dash(for: kind)
                    )
                )
            }
        }
        return out
    }

    /// Chart 1: the global model's accuracy per round against the baselines.
    package static func accuracy(_ summary: RunSummary, verdict: Verdict, width: Double = 640) -> String {
        let points = summary.rounds.map { (x: Double($0.round), y: $0.accuracy) }
        var series = [LineChart.Series(name: "Federated (global model)", color: ReportStyle.blue, points: points)]
        let f1 = summary.rounds.compactMap { r in r.macroF1.map { (x: Double(r.round), y: $0) } }
        if !f1.isEmpty {
            series.append(.init(name: "Federated macro-F1", color: ReportStyle.sky, points: f1, dash: "5 3"))
        }
        // A screening scenario's ROC-AUC shares the 0…1 axis.
        let auc = summary.rounds.compactMap { r in r.screening.map { (x: Double(r.round), y: $0.rocAUC) } }
        if !auc.isEmpty {
            series.append(.init(name: "Federated ROC-AUC", color: ReportStyle.purple, points: auc, dash: "2 2"))
        }
        let chart = LineChart(
            title: "Global test accuracy per round",
            description: "Accuracy of the federation's global model on the global test set after each of "
                + "\(summary.rounds.count) rounds, with pretrained, sites-alone and centralised baselines as dashed lines"
                + (self.screenedClass(summary).map { "; the dotted line is its ROC-AUC as a screening test for \($0)." }
                    ?? "."),
            id: "chart-accuracy",
            xLabel: "Round",
            yLabel: "Accuracy",
            series: series,
            references: self.references(summary, aloneMean: verdict.sitesAlone) { $0.accuracy },
            clamp: 0...1,
            width: width
        )
        return chart.svg()
    }

    /// The class the rounds' global models were screened for; nil when they were not.
    package static func screenedClass(_ summary: RunSummary) -> String? {
        summary.rounds.lazy.compactMap(\.screening).first?.positiveClass
    }

    /// Chart 2: test loss (and mean site training loss) per round, when recorded.
    package static func loss(_ summary: RunSummary, width: Double = 640) -> String? {
        let test = summary.rounds.compactMap { r in r.loss.map { (x: Double(r.round), y: $0) } }
        let train = summary.rounds.compactMap { r in r.meanSiteTrainLoss.map { (x: Double(r.round), y: $0) } }
        guard !test.isEmpty || !train.isEmpty else { return nil }
        var series: [LineChart.Series] = []
        if !test.isEmpty { series.append(.init(name: "Global test loss", color: ReportStyle.blue, points: test)) }
        if !train.isEmpty {
            series.append(.init(name: "Mean site train loss", color: ReportStyle.orange, points: train, dash: "5 3"))
        }
        let chart = LineChart(
            title: "Loss per round",
            description: "Cross-entropy of the global model on the global test set and the sites' mean training loss "
                + "after each round, with baseline test losses as dashed lines.",
            id: "chart-loss",
            xLabel: "Round",
            yLabel: "Loss",
            series: series,
            references: self.references(summary, aloneMean: nil) { $0.loss },
            clamp: 0...Double.greatestFiniteMagnitude,
            width: width
        )
        return chart.svg()
    }

    /// Chart 3: on each site's own test data, the site-alone model against the global one.
    package static func sites(_ summary: RunSummary, worst: Int?, width: Double = 640) -> String? {
        let sites = summary.sites
        guard sites.contains(where: { $0.aloneAccuracy != nil || $0.globalAccuracy != nil }) else { return nil }
        var chart = BarChart(
            title: "Per-site accuracy",
            description: "For each of \(sites.count) sites, accuracy on that site's own test data (n examples) of "
                + "the model it fine-tuned alone and of the federation's global model"
                + (worst.map { "; the worst site for the global model is \(sites[$0].name)." } ?? "."),
            id: "chart-sites",
            categories: sites.map(\.name),
            series: [
                .init(name: "Site alone", color: ReportStyle.orange, values: sites.map(\.aloneAccuracy)),
                .init(name: "Global model", color: ReportStyle.blue, values: sites.map(\.globalAccuracy)),
            ],
            yLabel: "Accuracy on the site's test data",
            highlighted: worst,
            highlightLabel: "worst site (global model)",
            width: width
        )
        // Several sites rest on a handful of test examples: say how many under each.
        chart.sublabels = sites.map { "n = \(ReportFormat.integer($0.testExamples))" }
        return chart.svg()
    }

    /// Chart 4: the federated model's confusion matrix.
    package static func confusion(_ summary: RunSummary, wide: Bool = false) -> String? {
        guard let federated = summary.baseline(.federated), !federated.metrics.confusion.isEmpty else { return nil }
        let names = summary.classNames.isEmpty ? federated.metrics.perClass.map(\.name) : summary.classNames
        let chart = HeatMap(
            title: "Confusion matrix of the federated model",
            description: "Rows are the true class and columns the predicted class among \(names.count) classes; "
                + "each cell is shaded by its share of the row and shows its count.",
            id: "chart-confusion",
            classNames: names,
            counts: federated.metrics.confusion,
            maxGrid: wide ? 660 : 460
        )
        return chart.svg()
    }
}
