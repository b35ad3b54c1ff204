import FedData
import FedImage
import FedLearning
import FedReport
import Foundation

extension RunSummary {
    /// The facts about one site the summary needs.
    struct SiteFacts {
        var name: String
        var train: Int
        var heldOut: Int
        var classCounts: [Int]
        /// A few of the site's training images as its scanner rendered them (image models).
        var examples: [ExampleImage] = []
    }

    /// The summary of a simulation, as summary.json holds it and report.html draws it.
    init(
        scenario: Scenario,
        classNames: [String],
        sites: [SiteFacts],
        setupSettings: [(key: String, value: String)],
        notes: [String],
        results: RunResults,
        training: TrainingConfiguration,
        testExamples: Int,
        mode: String,
        started: Date,
        seconds: Double,
        expectations: [Expectation]
    ) {
        var settings: [(String, String)] = [("data", Self.describe(scenario.data))]
        settings.append(("classes", classNames.joined(separator: ", ")))
        settings.append(("sites", "\(sites.count), \(Self.describe(scenario.partition))"))
        settings.append(("global test set", "\(testExamples) examples"))
        settings += setupSettings
        settings.append(
            (
                "rounds",
                "\(scenario.rounds) of FedAvg" + (scenario.clipNorm.map { ", updates clipped to L2 ≤ \($0)" } ?? "")
            )
        )
        settings.append(
            (
                "local training",
                "\(training.epochs) epoch(s) per round, batch \(training.batchSize), lr \(training.learningRate), "
                    + training.optimizer.kind.rawValue
            )
        )
        if let positive = scenario.image?.positiveClass {
            settings.append(("screening for", "\(positive) (positive) vs the rest"))
        }
        if let weights = training.classWeights {
            settings.append(("class weights", weights.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
        }
        settings.append(("sites run as", mode))
        settings.append(("seed", "\(scenario.seed)"))
        settings.append(("run time", String(format: "%.0f s", seconds)))

        var baselines: [BaselineResult] = []
        if let pretrained = results.pretrained {
            baselines.append(
                BaselineResult(
                    name: results.probe ? "Pretrained + linear probe" : "Pretrained, as is",
                    kind: .pretrained,
                    metrics: MetricsSummary(pretrained)
                )
            )
        }
        if let alone = results.sitesAlone {
            for (site, score) in zip(sites, alone) {
                baselines.append(
                    BaselineResult(
                        name: "Alone: \(site.name)",
                        kind: .siteAlone,
                        label: site.name,
                        metrics: MetricsSummary(score.test)
                    )
                )
            }
        }
        if let mean = results.sitesAloneMean {
            baselines.append(
                BaselineResult(name: "Sites alone (mean of \(sites.count))", kind: .sitesAloneMean, metrics: mean)
            )
        }
        if let centralised = results.centralised {
            baselines.append(
                BaselineResult(
                    name: "Centralised (pooled data)",
                    kind: .centralised,
                    metrics: MetricsSummary(centralised)
                )
            )
        }
        baselines.append(
            BaselineResult(
                name: "Federated (\(scenario.rounds) rounds)",
                kind: .federated,
                metrics: MetricsSummary(results.federated)
            )
        )

        let siteSummaries = sites.enumerated().map { index, site in
            SiteSummary(
                name: site.name,
                trainExamples: site.train,
                testExamples: site.heldOut,
                classCounts: site.classCounts,
                aloneAccuracy: results.sitesAlone?[index].own?.accuracy,
                globalAccuracy: results.federatedOnSites[index]?.accuracy,
                examples: site.examples.isEmpty ? nil : site.examples
            )
        }
        let rounds = results.rounds.map {
            RoundMetrics(
                round: $0.round,
                accuracy: $0.testAccuracy,
                loss: $0.testLoss,
                macroF1: $0.testMacroF1,
                meanSiteTrainLoss: $0.trainLoss,
                bytesSent: $0.bytes,
                screening: $0.testScreening.map { ScreeningSummary($0, classNames: classNames) }
            )
        }
        self.init(
            scenario: scenario.name,
            description: scenario.description,
            date: RunSummary.isoDate(started),
            settings: settings.map { Setting(key: $0.0, value: $0.1) },
            classNames: classNames,
            rounds: rounds,
            baselines: baselines,
            sites: siteSummaries,
            expectations: expectations,
            notes: notes
        )
    }

    /// Up to `count` of `examples`' images as PNG data URIs, taken in turn from each class
    /// (so two of each of two classes), the first of each class in the examples' order, and
    /// shown class by class. Empty for examples that are not images.
    static func exampleImages(of examples: some LabeledExamples, count: Int = 4) -> [ExampleImage] {
        guard let images = (examples as? ImageExamples)?.images, count > 0 else { return [] }
        var byClass = [[Int]](repeating: [], count: images.classNames.count)
        for (index, label) in images.labels.enumerated() where byClass[label].count < count {
            byClass[label].append(index)
        }
        var chosen: [(label: Int, index: Int)] = []
        var turn = 0
        while chosen.count < count && byClass.contains(where: { $0.count > turn }) {
            for (label, indices) in byClass.enumerated() where indices.count > turn && chosen.count < count {
                chosen.append((label, indices[turn]))
            }
            turn += 1
        }
        return chosen.sorted { ($0.label, $0.index) < ($1.label, $1.index) }.map { choice in
            let png = PNGEncoder.encode(images.image(at: choice.index))
            return ExampleImage(
                className: images.classNames[choice.label],
                dataURI: ExampleImage.pngPrefix + png.base64EncodedString(),
                width: images.width,
                height: images.height
            )
        }
    }

    private static func describe(_ data: Scenario.Data) -> String {
        switch data {
        case .synthetic(let shift, let examples): "synthetic, \(examples) examples shifted by \(shift)"
        case .csv(let path, _): URL(fileURLWithPath: path).lastPathComponent
        case .dataset(let name): "\(name) (fetched)"
        case .images(let path): URL(fileURLWithPath: path).lastPathComponent
        }
    }

    private static func describe(_ partition: Partition) -> String {
        switch partition {
        case .iid: "iid"
        case .dirichlet(let alpha): "label skew, Dirichlet α = \(alpha)"
        case .byColumn(let column): "one per value of '\(column)'"
        case .prevalence(let positive, let shares):
            "equal sizes, share of \(positive): \(shares.map { String(format: "%g", $0) }.joined(separator: ", "))"
        }
    }
}
