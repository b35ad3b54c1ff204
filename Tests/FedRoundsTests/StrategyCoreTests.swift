import FedSupport
import FedTensor
import OrderedCollections
import Testing

@testable import FedRounds

/// Strategies through the federation core: the server optimizer moves the global model by
/// each round's average, its state resumes exactly, and the `strategy` keys are checked.
struct StrategyCoreTests {
    static func settings(rounds: Int, optimizer: ServerOptimizerSettings) -> FederationCore.Settings {
        var settings = FederationCoreTests.settings(rounds: rounds)
        settings.optimizer = optimizer
        return settings
    }

    static func run(_ core: FederationCore) -> FederationCoreTests.Shell {
        var shell = FederationCoreTests.Shell(core: core, answering: ["s0", "s1"])
        shell.join(["s0", "s1"])
        return shell
    }

    @Test(arguments: [ServerOptimizerKind.fedavgm, .fedadam, .fedyogi, .fedadagrad])
    func theCoreStepsTheServerOptimizerWithEachRoundsAverage(kind: ServerOptimizerKind) throws {
        var optimizer = ServerOptimizerSettings.defaults(kind)
        if kind == .fedavgm { optimizer.momentum = 0.9 }
        let shell = Self.run(FederationCore(settings: Self.settings(rounds: 3, optimizer: optimizer), global: FederationCoreTests.start))
        // The same averages (0.15·r everywhere: FedAvg of 0.1·r and 0.2·r) stepped by hand.
        var expected = ServerOptimizer(settings: optimizer, spec: TensorSpec(of: FederationCoreTests.start))
        var global = FederationCoreTests.start
        for round in 1...3 {
            let average = FederationCoreTests.start.mapValues {
                Tensor(shape: $0.shape, scalars: [Float](repeating: 0.15 * Float(round), count: $0.count))
            }
            expected.apply(average, to: &global)
            #expect(shell.checkpoints[round] == global, "round \(round)")
        }
        #expect(shell.core.serverState == expected.state)
    }

    @Test func aCoreResumedWithItsOptimizerStateContinuesBitForBit() throws {
        let optimizer = ServerOptimizerSettings.defaults(.fedadam)
        let settings = Self.settings(rounds: 5, optimizer: optimizer)
        let whole = Self.run(FederationCore(settings: settings, global: FederationCoreTests.start))
        // What the state folder would hold after round 2: the checkpoint and the optimizer's state.
        let partial = Self.run(FederationCore(settings: Self.settings(rounds: 2, optimizer: optimizer), global: FederationCoreTests.start))
        let restored = try ServerOptimizer(
            settings: optimizer, spec: TensorSpec(of: FederationCoreTests.start), restoring: partial.core.serverState)
        let resumed = Self.run(
            FederationCore(settings: settings, global: partial.checkpoints[2]!, completedRounds: 2, optimizer: restored))
        #expect(resumed.records.map(\.round) == [3, 4, 5])
        #expect(resumed.checkpoints[5] == whole.checkpoints[5])
        #expect(resumed.core.serverState == whole.core.serverState)
    }

    @Test func strategyKeysResolveToTheirDefaultsAndRefuseWhatDoesNotApply() throws {
        var settings = StrategySettings()
        settings.optimizer = "fedadam"
        let adam = try settings.resolve()
        #expect(adam.optimizer == ServerOptimizerSettings.defaults(.fedadam) && adam.robust == nil && adam.compression == .none)
        settings.serverLearningRate = 0.5
        settings.aggregation = "trimmed_mean"
        settings.trimFraction = 0.2
        settings.compression = "topk"
        let more = try settings.resolve()
        #expect(more.optimizer.learningRate == 0.5 && more.robust == .trimmedMean(beta: 0.2))
        #expect(more.compression == .topK(fraction: 0.01))
        settings.momentum = 0.9
        #expect { try settings.resolve() } throws: { "\($0)".contains("strategy.momentum does not apply to the fedadam") }
        settings.momentum = nil
        settings.optimizer = "fedsgd"
        #expect { try settings.resolve() } throws: {
            "\($0)" == "strategy.optimizer must be one of fedavg, fedavgm, fedadam, fedyogi, fedadagrad, not 'fedsgd'"
        }
    }
}

/// Robust rules through the core: updates kept in a store, the rule's result applied, what it
/// did in the record, and a rule that needs more updates than the round has leaving the model.
struct RobustCoreTests {
    /// Five sites: four honest (0.1…0.4 everywhere), one sending −10 times the honest scale.
    static func run(rule: RobustRule, hostile: Bool = true) -> (FederationCoreTests.Shell, [Int]) {
        var settings = FederationCoreTests.settings(rounds: 1, minSites: 5)
        settings.clipNorm = nil
        settings.robust = rule
        let stores = StoreCounter()
        var shell = FederationCoreTests.Shell(
            core: FederationCore(
                settings: settings, global: FederationCoreTests.start,
                updateStores: { _, length in stores.made(length) }),
            answering: [])
        let sites = ["s0", "s1", "s2", "s3", "s4"]
        shell.join(sites)
        for (index, site) in sites.enumerated() {
            let value: Float = hostile && index == 4 ? -10 : 0.1 * Float(index + 1)
            let tensors = FederationCoreTests.start.mapValues {
                Tensor(shape: $0.shape, scalars: [Float](repeating: value, count: $0.count))
            }
            shell.send(.updateReceived(site: site, round: 1, .init(examples: 10, metrics: [:], tensors: tensors, bytes: 1)))
        }
        return (shell, stores.lengths)
    }

    final class StoreCounter: @unchecked Sendable {
        var lengths: [Int] = []
        func made(_ length: Int) -> any UpdateStore {
            self.lengths.append(length)
            return InMemoryUpdateStore(length: length)
        }
    }

    @Test func theMedianIgnoresTheHostileSiteWhereTheMeanFollowsIt() throws {
        let (median, lengths) = Self.run(rule: .median)
        #expect(lengths == [6], "one store per round, one row length: the model's trainable scalars")
        // The median of −10, 0.1, 0.2, 0.3 and 0.4.
        #expect(median.core.global["w"]!.scalars.allSatisfy { abs($0 - 0.2) < 1e-6 })
        #expect(median.records.first?.aggregation?.rule == "the coordinate-wise median")
        var settings = FederationCoreTests.settings(rounds: 1, minSites: 5)
        settings.clipNorm = nil
        var mean = FederationCoreTests.Shell(core: FederationCore(settings: settings, global: FederationCoreTests.start), answering: [])
        mean.join(["s0", "s1", "s2", "s3", "s4"])
        for (index, site) in ["s0", "s1", "s2", "s3", "s4"].enumerated() {
            let value: Float = index == 4 ? -10 : 0.1 * Float(index + 1)
            let tensors = FederationCoreTests.start.mapValues { Tensor(shape: $0.shape, scalars: [Float](repeating: value, count: $0.count)) }
            mean.send(.updateReceived(site: site, round: 1, .init(examples: 10, metrics: [:], tensors: tensors, bytes: 1)))
        }
        #expect(mean.core.global["w"]!.scalars.allSatisfy { $0 < -1.5 }, "plain FedAvg follows the hostile site")
    }

    @Test func krumKeepsAnHonestUpdateAndNamesIt() throws {
        let (shell, _) = Self.run(rule: .krum(f: 1))
        let aggregation = try #require(shell.records.first?.aggregation)
        let kept = try #require(aggregation.selected)
        #expect(kept.count == 1 && kept[0] != "s4")
        let value = shell.core.global["w"]!.scalars[0]
        #expect([Float(0.1), 0.2, 0.3, 0.4].contains { abs($0 - value) < 1e-6 })
    }

    @Test func aRuleThatNeedsMoreUpdatesLeavesTheModelAndSaysWhy() throws {
        let (shell, _) = Self.run(rule: .krum(f: 2))
        let aggregation = try #require(shell.records.first?.aggregation)
        #expect(aggregation.skipped == true)
        #expect(aggregation.note?.contains("Krum with f = 2 needs at least 7 updates, the round has 5") == true, "\(aggregation)")
        #expect(shell.core.global == FederationCoreTests.start)
        #expect(shell.records.map(\.round) == [1], "the round still closes")
    }
}
