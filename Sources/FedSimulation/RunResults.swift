import FedLearning
import FedReport
import Foundation

/// Everything one simulation measured, before it is shaped into the report's summary.
struct RunResults {
    var rounds: [SimulationRound]
    /// The final global model on the global test set.
    var federated: Score
    /// The final global model on each site's own held-out data (nil: none held out).
    var federatedOnSites: [Score?]
    /// The pretrained model as is, or its linear probe (`probe`); nil when skipped.
    var pretrained: Score?
    var probe: Bool
    /// Each site alone, in site order; nil when skipped.
    var sitesAlone: [SiteAloneScore]?
    var centralised: Score?
    /// Classes the pretrained model never saw.
    var newClasses: [Int]

    /// The sites-alone mean of every headline number, and of each class's scores.
    var sitesAloneMean: MetricsSummary? {
        guard let alone = self.sitesAlone, !alone.isEmpty else { return nil }
        let summaries = alone.map { MetricsSummary($0.test) }
        func mean(_ value: (MetricsSummary) -> Double) -> Double {
            summaries.map(value).reduce(0, +) / Double(summaries.count)
        }
        let classes = summaries[0].perClass.indices.map { c in
            MetricsSummary.ClassMetrics(
                name: summaries[0].perClass[c].name,
                precision: mean { $0.perClass[c].precision },
                recall: mean { $0.perClass[c].recall },
                f1: mean { $0.perClass[c].f1 },
                support: summaries[0].perClass[c].support
            )
        }
        // Rates are averaged as the other numbers are; counts of different models do not add up to one test.
        let screenings = summaries.compactMap(\.screening)
        let screening =
            screenings.count == summaries.count
            ? screenings.first.map { first in
                ScreeningSummary(
                    positiveClass: first.positiveClass,
                    sensitivity: mean { $0.screening!.sensitivity },
                    specificity: mean { $0.screening!.specificity },
                    precision: mean { $0.screening!.precision },
                    rocAUC: mean { $0.screening!.rocAUC }
                )
            } : nil
        return MetricsSummary(
            accuracy: mean(\.accuracy),
            macroPrecision: mean(\.macroPrecision),
            macroRecall: mean(\.macroRecall),
            macroF1: mean(\.macroF1),
            loss: mean { $0.loss ?? .nan },
            perClass: classes,
            screening: screening
        )
    }

    /// The site whose own held-out data the global model scores worst on, with that accuracy.
    var worstSite: (index: Int, accuracy: Double)? {
        self.federatedOnSites.enumerated().compactMap { site in site.element.map { (site.offset, $0.accuracy) } }
            .min { $0.1 < $1.1 }
    }

    /// Mean recall of the classes left out of pretraining, for the federated model.
    var newClassRecall: Double? {
        guard !self.newClasses.isEmpty else { return nil }
        let scores = self.federated.metrics.perClass
        return self.newClasses.map { scores[$0].recall }.reduce(0, +) / Double(self.newClasses.count)
    }
}

extension MetricsSummary {
    /// A model's score as the report shows it.
    init(_ score: Score) {
        let metrics = score.metrics
        self.init(
            accuracy: metrics.accuracy,
            macroPrecision: metrics.macroPrecision,
            macroRecall: metrics.macroRecall,
            macroF1: metrics.macroF1,
            loss: score.loss,
            perClass: metrics.perClass.map {
                ClassMetrics(name: $0.name, precision: $0.precision, recall: $0.recall, f1: $0.f1, support: $0.support)
            },
            confusion: metrics.confusion,
            screening: score.screening.map { ScreeningSummary($0, classNames: metrics.classNames) }
        )
    }
}

extension ScreeningSummary {
    /// A screening test's numbers as the report shows them, its positive class by name.
    init(_ metrics: ScreeningMetrics, classNames: [String]) {
        self.init(
            positiveClass: classNames.indices.contains(metrics.positiveClass)
                ? classNames[metrics.positiveClass] : "class \(metrics.positiveClass)",
            sensitivity: metrics.sensitivity,
            specificity: metrics.specificity,
            precision: metrics.precision,
            rocAUC: metrics.rocAUC,
            truePositives: metrics.truePositives,
            falseNegatives: metrics.falseNegatives,
            trueNegatives: metrics.trueNegatives,
            falsePositives: metrics.falsePositives
        )
    }
}
