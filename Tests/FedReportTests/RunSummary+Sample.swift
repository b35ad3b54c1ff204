import Foundation

@testable import FedReport

extension MetricsSummary {
    /// Metrics computed from a confusion matrix (rows true, columns predicted), so the
    /// sample's numbers agree with each other the way a real run's do.
    static func from(confusion: [[Int]], names: [String], loss: Double?) -> MetricsSummary {
        let n = confusion.count
        let total = confusion.joined().reduce(0, +)
        let correct = (0..<n).map { confusion[$0][$0] }.reduce(0, +)
        var perClass: [ClassMetrics] = []
        for c in 0..<n {
            let support = confusion[c].reduce(0, +)
            let predicted = (0..<n).map { confusion[$0][c] }.reduce(0, +)
            let precision = predicted > 0 ? Double(confusion[c][c]) / Double(predicted) : 0
            let recall = support > 0 ? Double(confusion[c][c]) / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            perClass.append(.init(name: names[c], precision: precision, recall: recall, f1: f1, support: support))
        }
        func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
        return MetricsSummary(
            accuracy: total > 0 ? Double(correct) / Double(total) : 0,
            macroPrecision: mean(perClass.map(\.precision)),
            macroRecall: mean(perClass.map(\.recall)),
            macroF1: mean(perClass.map(\.f1)),
            loss: loss,
            perClass: perClass,
            confusion: confusion
        )
    }

    /// A confusion matrix over `supports` where class c is right `skill − c·slope` of the
    /// time and its errors go mostly to the next class.
    static func synthetic(
        supports: [Int],
        skill: Double,
        slope: Double = 0.02,
        names: [String],
        loss: Double?
    ) -> MetricsSummary {
        let n = supports.count
        var confusion = Array(repeating: Array(repeating: 0, count: n), count: n)
        for (c, support) in supports.enumerated() {
            let right = Int((Double(support) * max(0, min(1, skill - Double(c % 5) * slope))).rounded())
            confusion[c][c] = right
            var wrong = support - right
            guard n > 1 else { continue }
            let next = (c + 1) % n
            let most = wrong * 2 / 3
            confusion[c][next] += most
            wrong -= most
            var k = 0
            while wrong > 0 {
                let other = (c + 2 + k) % n
                if other != c {
                    confusion[c][other] += 1
                    wrong -= 1
                }
                k += 1
            }
        }
        return .from(confusion: confusion, names: names, loss: loss)
    }
}

extension RunSummary {
    /// A realistic run: `sites` sites, `classes` classes, `rounds` rounds, every baseline.
    static func sample(rounds: Int = 12, classes: Int = 4, sites: Int = 4) -> RunSummary {
        let baseNames = ["billing", "technical", "account", "shipping", "returns", "other"]
        let names = (0..<classes).map { $0 < baseNames.count ? baseNames[$0] : "class-\($0 + 1)" }
        let supports = (0..<classes).map { 120 + ($0 * 37) % 90 }
        func metrics(_ skill: Double, loss: Double) -> MetricsSummary {
            .synthetic(supports: supports, skill: skill, names: names, loss: loss)
        }
        let siteNames = [
            "north-clinic", "east-hospital", "west-lab", "south-practice", "central-trust", "harbour-care",
        ]
        let siteList: [SiteSummary] = (0..<sites).map { i in
            let name = i < siteNames.count ? siteNames[i] : "site-\(i + 1)"
            let counts: [Int] = (0..<classes).map { c in (c + i) % 3 == 0 ? 0 : 90 + 17 * c }
            let alone: Double = 0.70 + Double(i % 3) * 0.035
            let global: Double = 0.79 + Double((i * 7) % 5) * 0.018
            return SiteSummary(
                name: name,
                trainExamples: 800 + i * 410,
                testExamples: 200 + i * 60,
                classCounts: counts,
                aloneAccuracy: alone,
                globalAccuracy: global
            )
        }
        var baselines = [
            BaselineResult(name: "Pretrained", kind: .pretrained, metrics: metrics(0.64, loss: 1.02))
        ]
        for (i, site) in siteList.enumerated() {
            baselines.append(
                BaselineResult(
                    name: "Alone: \(site.name)",
                    kind: .siteAlone,
                    label: site.name,
                    metrics: metrics(0.72 + Double(i % 3) * 0.03, loss: 0.83 - Double(i) * 0.02)
                )
            )
        }
        baselines += [
            BaselineResult(name: "Sites alone (mean)", kind: .sitesAloneMean, metrics: metrics(0.76, loss: 0.78)),
            BaselineResult(name: "Centralised", kind: .centralised, metrics: metrics(0.88, loss: 0.41)),
            BaselineResult(name: "Federated (FedAvg)", kind: .federated, metrics: metrics(0.86, loss: 0.47)),
        ]
        let roundList: [RoundMetrics] = (0..<rounds).map { r in
            let t = Double(r + 1)
            let wiggle: Double = sin(t * 1.7) * 0.006
            let decay: Double = exp(-t / 3)
            let accuracy: Double = 0.66 + 0.18 * (1 - decay) + wiggle
            let loss: Double = 0.47 + 0.5 * decay - wiggle
            let f1: Double = 0.62 + 0.19 * (1 - decay) + wiggle
            let train: Double = 0.32 + 0.6 * exp(-t / 2.5)
            return RoundMetrics(
                round: r + 1,
                accuracy: accuracy,
                loss: loss,
                macroF1: f1,
                meanSiteTrainLoss: train,
                bytesSent: 2 * sites * 1_245_184
            )
        }
        return RunSummary(
            scenario: "quickstart — 4 sites, label skew",
            description:
                "Pretrained MLP fine-tuned by four sites with covariate-shifted, Dirichlet(0.5) label-skewed data.",
            date: "2025-06-01T09:30:00Z",
            settings: [
                .init(key: "model", value: "mlp-64x2"), .init(key: "mode", value: "in-process"),
                .init(key: "sites", value: "\(sites)"), .init(key: "rounds", value: "\(rounds)"),
                .init(key: "partition", value: "dirichlet α=0.5"),
                .init(key: "strategy", value: "FedAvg, 2 local epochs"),
                .init(key: "seed", value: "7"),
            ],
            classNames: names,
            rounds: roundList,
            baselines: baselines,
            sites: siteList,
            expectations: [
                .init(text: "Federated beats the sites-alone mean", passed: true, observed: "0.86 vs 0.76"),
                .init(text: "Federated within 0.05 of centralised", passed: true, observed: "Δ 0.02"),
                .init(text: "Every site gains from federation", passed: true, observed: "min Δ +0.05"),
                .init(text: "Worst site above 0.80 with the global model", passed: false, observed: "0.790"),
            ],
            notes: ["Baselines trained for the same number of local steps as the federation in total."]
        )
    }
}

extension RunSummary {
    /// Two tiny 8×8 grey PNGs (a gradient and its inverse), made once with Python's zlib.
    static let tinyPNGs = [
        "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAAAAADhZOFXAAAAU0lEQVR42gFIALf/AAAgQGCAoMDgAAQkRGSEpMTkAAgoSGiIqMjoAAwsTGyM"
            + "rMzsABAwUHCQsNDwABQ0VHSUtNT0ABg4WHiYuNj4ABw8XHycvNz8FUQfgXGwCFQAAAAASUVORK5CYII=",
        "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAAAAADhZOFXAAAAUElEQVR42mP4DwUM/39///z+9fPHDP+/v39+//r54wz/Pz+/ff7w9tUM/9/f"
            + "P79//fx+hv+vrx9eP7u9mOH/8/Pb57fnhzP8f3x8dX9xuDUA9nEzgVna5D8AAAAASUVORK5CYII=",
    ]

    /// A pneumonia screening run: two classes, every baseline and round screened for
    /// pneumonia, and four example images per site (two per class).
    static func screeningSample(rounds: Int = 5) -> RunSummary {
        var summary = RunSummary.sample(rounds: rounds, classes: 2, sites: 2)
        summary.scenario = "pneumonia-hospitals-small"
        summary.classNames = ["normal", "pneumonia"]
        func screening(_ skill: Double) -> ScreeningSummary {
            ScreeningSummary(
                positiveClass: "pneumonia",
                sensitivity: skill + 0.05,
                specificity: skill - 0.08,
                precision: skill,
                rocAUC: min(0.99, skill + 0.1),
                truePositives: Int(skill * 100),
                falseNegatives: 100 - Int(skill * 100),
                trueNegatives: Int(skill * 60),
                falsePositives: 60 - Int(skill * 60)
            )
        }
        for index in summary.baselines.indices {
            summary.baselines[index].metrics.screening = screening(summary.baselines[index].metrics.accuracy)
        }
        for index in summary.rounds.indices {
            summary.rounds[index].screening = screening(summary.rounds[index].accuracy)
        }
        for index in summary.sites.indices {
            summary.sites[index].examples = ["normal", "normal", "pneumonia", "pneumonia"].enumerated().map {
                ExampleImage(
                    className: $1,
                    dataURI: ExampleImage.pngPrefix + Self.tinyPNGs[($0 + index) % 2],
                    width: 8,
                    height: 8
                )
            }
        }
        return summary
    }
}
