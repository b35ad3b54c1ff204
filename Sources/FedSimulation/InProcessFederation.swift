import FedCoordinator
import FedData
import FedLearning
import FedRounds
import FedTensor
import FedWire
import Foundation
import OrderedCollections

/// The federation run in one process over an in-memory transport: the same round state
/// machine and clipped FedAvg running sum as the coordinator, with virtual sites that
/// train in turn. Deterministic for a given scenario seed, and light enough for hundreds
/// of sites (one model is reused for every site's local training).
package struct InProcessFederation {
    package struct Round: Sendable, Codable, Equatable {
        package var round: Int
        package var sites: Int
        package var examples: Int
        package var trainLoss: Double
        package var testAccuracy: Double
        package var testMacroF1: Double
        package var seconds: Double
    }

    package let scenario: Scenario
    package let setup: SimulationSetup
    /// Where each round's checkpoint and record go, as a coordinator's state folder would
    /// hold them; nil keeps nothing.
    package let state: StateFolder?

    package init(scenario: Scenario, setup: SimulationSetup, state: StateFolder? = nil) {
        self.scenario = scenario
        self.setup = setup
        self.state = state
    }

    /// Runs every round; `onRound` sees each as it closes. Returns the final global model.
    package func run(onRound: (Round) -> Void = { _ in }) throws -> (model: Classifier, rounds: [Round]) {
        let model = self.setup.pretrained
        let base = model.parameters.values()
        let trainableNames = model.parameters.entries.filter(\.trainable).map(\.name)
        let spec = TensorSpec(trainableNames.map { (name: $0, shape: base[$0]!.shape) })
        var global = base
        var policy = RoundPolicy(rounds: self.scenario.rounds, minSites: self.setup.siteNames.count)
        policy.sampleSize = self.scenario.sample
        policy.seed = self.scenario.seed
        policy.quorum = 1
        var machine = RoundStateMachine(policy: policy)
        var pending: [RoundStateMachine.Action] = []
        for site in self.setup.siteNames { pending += machine.handle(.siteConnected(site), now: 0) }
        let index = Dictionary(uniqueKeysWithValues: self.setup.siteNames.enumerated().map { ($1, $0) })
        var rows: [Round] = []
        var accumulator = FedAvgAccumulator(spec: spec, clipNorm: self.scenario.clipNorm)
        var lossSum = 0.0
        var started = Date()
        while !pending.isEmpty {
            let action = pending.removeFirst()
            switch action {
            case .startRound(let round, let sites, _):
                accumulator = FedAvgAccumulator(spec: spec, clipNorm: self.scenario.clipNorm)
                lossSum = 0
                started = Date()
                let trainable = global.filter { trainableNames.contains($0.key) }
                for site in sites {
                    var configuration = self.scenario.local
                    configuration.seed = self.scenario.seed &+ UInt64(round) &* 1_000_003 &+ UInt64(index[site]!)
                    try model.parameters.load(global, requireAll: true, source: "global")
                    let result = try LocalUpdate.train(
                        model, global: trainable, data: self.setup.siteData[index[site]!], configuration: configuration)
                    for next in machine.handle(.updateArrived(site: site, round: round), now: 0) {
                        if case .foldUpdate = next {
                            do {
                                _ = try accumulator.add(result.delta, examples: result.examples)
                                lossSum += (result.metrics["loss"] ?? 0) * Double(result.examples)
                            } catch {
                                pending += machine.handle(.updateRejected(site: site, round: round, reason: "\(error)"), now: 0)
                            }
                        } else {
                            pending.append(next)
                        }
                    }
                }
            case .closeRound(let round, let reported, _):
                guard let average = accumulator.average() else { continue }
                FedAvgAccumulator.apply(average, to: &global, serverLearningRate: self.scenario.serverLearningRate)
                try model.parameters.load(global, requireAll: true, source: "global")
                let metrics = self.setup.score(model)
                let row = Round(
                    round: round, sites: reported.count, examples: accumulator.totalExamples,
                    trainLoss: lossSum / Double(Swift.max(accumulator.totalExamples, 1)),
                    testAccuracy: metrics.accuracy, testMacroF1: metrics.macroF1,
                    seconds: Date().timeIntervalSince(started))
                rows.append(row)
                if let state = self.state {
                    let blob = try ModelPackage.encode(architecture: model.architecture, tensors: global)
                    try state.save(round: round, modelBlob: blob, record: RoundRecord(
                        round: round, sites: reported, examples: row.examples, trainMetrics: ["loss": row.trainLoss],
                        failures: [:], clipScales: [:], digest: sha256Hex(blob), seconds: 0))
                }
                onRound(row)
            case .stop(let reason):
                throw ScenarioError.invalid(path: self.scenario.name, detail: "the federation stopped: \(reason)")
            case .foldUpdate, .rejectUpdate, .retryRound, .finish:
                continue
            }
        }
        try model.parameters.load(global, requireAll: true, source: "global")
        return (model, rows)
    }
}
