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
