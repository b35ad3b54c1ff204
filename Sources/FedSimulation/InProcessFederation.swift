import FedCoordinator
import FedLearning
import FedRounds
import FedTensor
import FedWire
import Foundation
import OrderedCollections

/// The federation run in one process over an in-memory transport: the same round state
/// machine and clipped FedAvg running sum as the coordinator, with virtual sites that
/// train in turn. Deterministic for a given scenario seed, and light enough for hundreds
/// of sites (one model is reused for every site's local training, and only trainable
/// tensors move, so a head-mode text model keeps its cached embeddings all run long).
package struct InProcessFederation<Model: SimulatedModel> {
    package let scenario: Scenario
    package let setup: SimulationSetup<Model>
    /// Each site's local training per round (the scenario's, with class weights resolved).
    package let training: TrainingConfiguration
    /// Where each round's checkpoint and record go, as a coordinator's state folder would
    /// hold them; nil keeps nothing.
    package let state: StateFolder?

    package init(
        scenario: Scenario, setup: SimulationSetup<Model>, training: TrainingConfiguration, state: StateFolder? = nil
    ) {
        self.scenario = scenario
        self.setup = setup
        self.training = training
        self.state = state
    }

    /// Runs every round; `onRound` sees each as it closes. Leaves the final global model in
    /// `setup.model`.
    package func run(onRound: (SimulationRound) -> Void = { _ in }) throws -> [SimulationRound] {
        let model = self.setup.model
        try self.setup.reset()
        var global = self.setup.start
        let spec = TensorSpec(global.map { (name: $0.key, shape: $0.value.shape) })
        let sites = self.setup.siteNames
        var policy = RoundPolicy(rounds: self.scenario.rounds, minSites: sites.count)
        policy.sampleSize = self.scenario.sample
        policy.seed = self.scenario.seed
        policy.quorum = 1
        var machine = RoundStateMachine(policy: policy)
        var pending: [RoundStateMachine.Action] = []
        for site in sites { pending += machine.handle(.siteConnected(site), now: 0) }
        let index = Dictionary(uniqueKeysWithValues: sites.enumerated().map { ($1, $0) })
        let metadata = try model.anyClassifier.packageMetadata()
        // Sizes of what the wire would carry: the base model once per site, then trainable tensors.
        let baseBytes = ModelPackage.encode(metadata: metadata, tensors: model.parameters.values()).count
        let trainableBytes = ModelPackage.encodeTrainable(global).count
        var holdsBase: Set<String> = []
        var bytes = 0
        var rows: [SimulationRound] = []
        var accumulator = FedAvgAccumulator(spec: spec, clipNorm: self.scenario.clipNorm)
        var results: [SimulationRound.SiteResult] = []
        var started = Date()
        while !pending.isEmpty {
            let action = pending.removeFirst()
            switch action {
            case .startRound(let round, let selected, _):
                accumulator = FedAvgAccumulator(spec: spec, clipNorm: self.scenario.clipNorm)
                results = []
                started = Date()
                bytes = 0
                for site in selected {
                    bytes += trainableBytes + (holdsBase.insert(site).inserted ? baseBytes : 0)
                    let number = index[site]!
                    var configuration = self.training
                    configuration.seed = self.scenario.seed &+ UInt64(round) &* 1_000_003 &+ UInt64(number)
                    let result = try LocalUpdate.train(
                        model, global: global, data: self.setup.sites[number].train, configuration: configuration)
                    for next in machine.handle(.updateArrived(site: site, round: round), now: 0) {
                        guard case .foldUpdate = next else {
                            pending.append(next)
                            continue
                        }
                        do {
                            _ = try accumulator.add(result.delta, examples: result.examples)
                            bytes += trainableBytes
                            results.append(
                                .init(
                                    site: site, examples: result.examples, trainLoss: result.metrics["loss"],
                                    trainAccuracy: result.metrics["accuracy"]))
                        } catch {
                            pending += machine.handle(
                                .updateRejected(site: site, round: round, reason: "\(error)"), now: 0)
                        }
                    }
                }
            case .closeRound(let round, let reported, _):
                guard let average = accumulator.average() else { continue }
                FedAvgAccumulator.apply(average, to: &global, serverLearningRate: self.scenario.serverLearningRate)
                try model.load(global, requireAll: false, source: "global")
                let score = Score(model, self.setup.test)
                let examples = accumulator.totalExamples
                let row = SimulationRound(
                    round: round, sites: reported.count, examples: examples,
                    trainLoss: Self.weightedMean(results, \.trainLoss) ?? .nan,
                    trainAccuracy: Self.weightedMean(results, \.trainAccuracy), testAccuracy: score.accuracy,
                    testLoss: score.loss, testMacroF1: score.metrics.macroF1,
                    seconds: Date().timeIntervalSince(started),
                    bytes: bytes, siteResults: results)
                rows.append(row)
                if let state = self.state {
                    let blob = ModelPackage.encode(metadata: metadata, tensors: model.parameters.values())
                    try state.save(
                        round: round, modelBlob: blob,
                        record: RoundRecord(
                            round: round, sites: reported, examples: examples,
                            trainMetrics: ["loss": row.trainLoss, "accuracy": row.trainAccuracy ?? .nan].filter {
                                $0.value.isFinite
                            },
                            failures: [:], clipScales: [:], digest: sha256Hex(blob), seconds: row.seconds))
                }
                onRound(row)
            case .stop(let reason):
                throw ScenarioError.invalid(path: self.scenario.name, detail: "the federation stopped: \(reason)")
            case .foldUpdate, .rejectUpdate, .retryRound, .finish:
                continue
            }
        }
        try model.load(global, requireAll: false, source: "global")
        return rows
    }

    /// The example-weighted mean of one training metric over the sites that reported it.
    static func weightedMean(
        _ results: [SimulationRound.SiteResult], _ value: KeyPath<SimulationRound.SiteResult, Double?>
    ) -> Double? {
        let known = results.compactMap { result in result[keyPath: value].map { ($0, Double(result.examples)) } }
        let weight = known.reduce(0) { $0 + $1.1 }
        guard weight > 0 else { return nil }
        return known.reduce(0) { $0 + $1.0 * $1.1 } / weight
    }
}
