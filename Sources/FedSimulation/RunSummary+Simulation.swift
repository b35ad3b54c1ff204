import FedData
import FedImage
import FedLearning
import FedReport
import FedRounds
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

    /// The `mode` of a simulation whose sites run in process (Simulation's text; the
    /// privacy test checks the two agree).
    static let inProcessMode = "virtual sites in one process"

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
        expectations: [Expectation],
        evaluations: [EvaluationRecord] = [],
        environment: RunEnvironment? = nil,
        interrupted: Bool = false
    ) {
        var privacy = PrivacySummary(results.rounds.compactMap(\.record.privacy), asked: scenario.rounds)
        // In process, InProcessFederation keys the noise with the seed; site processes run a
        // coordinator, which keys it with its state folder's secret privacy.key.
        privacy?.noiseSource = mode == Self.inProcessMode ? "seed" : "privacy.key"
        let settings = Self.settingsList(
            scenario: scenario, classNames: classNames, sites: sites.count, setupSettings: setupSettings,
            privacy: privacy, training: training, testExamples: testExamples, mode: mode, seconds: seconds)

        var baselines: [BaselineResult] = []
        if let pretrained = results.pretrained {
            baselines.append(
                BaselineResult(
                    name: results.probe ? "Pretrained + linear probe" : "Pretrained, as is",
                    kind: .pretrained,
                    metrics: MetricsSummary(scored: pretrained)
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
                        metrics: MetricsSummary(scored: score.test)
                    )
                )
            }
        }
        if let mean = results.sitesAloneMeanWithRareClass {
            baselines.append(
                BaselineResult(name: "Sites alone (mean of \(sites.count))", kind: .sitesAloneMean, metrics: mean)
            )
        }
        if let centralised = results.centralised {
            baselines.append(
                BaselineResult(
                    name: "Centralised (pooled data)",
                    kind: .centralised,
                    metrics: MetricsSummary(scored: centralised)
                )
            )
        }
        baselines.append(
            BaselineResult(
                name: "Federated (\(results.rounds.count) rounds)",
                kind: .federated,
                metrics: MetricsSummary(scored: results.federated)
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
        let evaluation = Dictionary(evaluations.map { ($0.round, $0) }, uniquingKeysWith: { $1 })
        let rounds = results.rounds.map { RoundMetrics($0, classNames: classNames, evaluation: evaluation[$0.round]) }
        self.init(
            scenario: scenario.name,
            description: scenario.description,
            date: RunSummary.isoDate(started),
            settings: settings.map { Setting(key: $0.0, value: $0.1) },
            classNames: classNames,
            rounds: rounds,
            baselines: baselines,
            sites: siteSummaries,
            privacy: privacy,
            expectations: expectations,
            notes: notes
        )
        self.roundsAsked = scenario.rounds
        self.finished = !interrupted
        if interrupted {
            self.unfinishedReason = "Interrupted after round \(results.rounds.count) of \(scenario.rounds); "
                + "the baselines were skipped and the expectations not judged."
        }
        self.environment = environment
        self.configuration = scenario.configuration(training: training, classNames: classNames)
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

    static func describe(_ data: Scenario.Data) -> String {
        switch data {
        case .synthetic(let shift, let examples): "synthetic, \(examples) examples shifted by \(shift)"
        case .csv(let path, _): URL(fileURLWithPath: path).lastPathComponent
        case .dataset(let name): "\(name) (fetched)"
        case .images(let path): URL(fileURLWithPath: path).lastPathComponent
        }
    }

    static func describe(_ partition: Partition) -> String {
        switch partition {
        case .iid: "iid"
        case .dirichlet(let alpha): "label skew, Dirichlet α = \(alpha)"
        case .byColumn(let column): "one per value of '\(column)'"
        case .prevalence(let positive, let shares):
            "equal sizes, share of \(positive): \(shares.map { String(format: "%g", $0) }.joined(separator: ", "))"
        case .ranges(let column, let mix):
            "contiguous ranges of '\(column)' (quantile bins)"
                + (mix.map { ", \(Int(($0.share * 100).rounded()))% moved to their band of '\($0.column)'" } ?? "")
        }
    }
}

extension PrivacySummary {
    /// The privacy of a run from its rounds' records (`records`, in round order) and the
    /// rounds the scenario asked for; nil when the rounds ran without privacy.
    ///
    /// The budget ended the run when fewer rounds closed than were asked and one more round
    /// would have spent more than the target: the accountant is rebuilt from the recorded
    /// events to tell that from an interrupted run.
    init?(_ records: [RoundPrivacy], asked: Int) {
        guard let first = records.first, let last = records.last else { return nil }
        let adaptive = records.contains { $0.nextClipNorm != nil }
        var endedByBudget = false
        if let target = last.targetEpsilon, records.count < asked {
            endedByBudget = Self.epsilon(after: records, plusOne: last.event, delta: last.delta) > target
        }
        let secure = records.compactMap(\.secureAggregation)
        self.init(
            mechanism: first.mechanism,
            sampling: first.sampling,
            sampleRate: first.sampleRate,
            noiseMultiplier: first.noiseMultiplier,
            updateNoiseMultiplier: first.updateNoiseMultiplier,
            clipNorm: first.clipNorm,
            lastClipNorm: adaptive ? last.clipNorm : nil,
            adaptiveClipping: adaptive,
            expectedSites: first.expectedSites,
            noiseStddev: first.noiseStddev,
            delta: last.delta,
            epsilon: last.epsilon,
            targetEpsilon: last.targetEpsilon,
            roundsRun: records.count,
            roundsAsked: asked,
            endedByBudget: endedByBudget,
            epsilonPerRound: records.map(\.epsilon),
            clipNormPerRound: adaptive ? records.map(\.clipNorm) : nil,
            // Secure aggregation only when every round had it; false when any round lacked it.
            secureAggregation: secure.isEmpty ? nil : secure.count == records.count && secure.allSatisfy { $0 }
        )
    }

    /// ε at `delta` after the recorded events and one more `event`; 0 if the accountant
    /// refuses them (the core checked them when it recorded them).
    private static func epsilon(after records: [RoundPrivacy], plusOne event: PrivacyEvent, delta: Double) -> Double {
        var accountant = RDPAccountant(relation: event.neighboringRelation ?? .addOrRemoveOne)
        do {
            for record in records { try accountant.compose(record.event) }
            try accountant.compose(event)
            return try accountant.epsilon(delta: delta).epsilon
        } catch {
            return 0
        }
    }
}

extension RunSummary {
    /// The strategy in a few words: "FedAdagrad (η 0.1)", with the robust rule and the
    /// compression when they are not the defaults.
    static func strategyText(_ strategy: Strategy) -> String {
        let names: [ServerOptimizerKind: String] = [
            .fedavg: "FedAvg", .fedavgm: "FedAvgM", .fedadam: "FedAdam", .fedyogi: "FedYogi", .fedadagrad: "FedAdagrad",
        ]
        var text = names[strategy.optimizer.kind] ?? strategy.optimizer.kind.rawValue
        if strategy.optimizer.kind != .fedavg || strategy.optimizer.learningRate != 1 {
            text += " (η \(strategy.optimizer.learningRate))"
        }
        if let rule = strategy.robust { text += ", aggregated by \(rule.name)" }
        if strategy.compression != .none { text += ", updates sent as \(strategy.compression.name)" }
        return text
    }
}
