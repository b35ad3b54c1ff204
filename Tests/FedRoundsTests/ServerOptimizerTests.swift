import FedTensor
import Foundation
import OrderedCollections
import Testing

@testable import FedRounds

/// The server optimizers against steps worked out by hand, against Flower 1.42's own strategies
/// (Tests/Fixtures/strategies/flower.json, written by scripts/fixtures/make_strategy_fixtures.py),
/// their saved state, and their settings' validation.
struct ServerOptimizerTests {
    static let one = TensorSpec([(name: "w", shape: [1])])

    /// Applies each Δ of `deltas` (one scalar tensor "w" per step) from x = `start`; the x after each.
    static func run(_ settings: ServerOptimizerSettings, from start: [Float], _ deltas: [[Float]]) -> [[Float]] {
        let spec = TensorSpec([(name: "w", shape: [start.count])])
        var optimizer = ServerOptimizer(settings: settings, spec: spec)
        var global: OrderedDictionary<String, Tensor> = ["w": Tensor(shape: [start.count], scalars: start)]
        return deltas.map { delta in
            optimizer.apply(["w": Tensor(shape: [delta.count], scalars: delta)], to: &global)
            return global["w"]!.scalars
        }
    }

    static func close(_ a: [Float], _ b: [Double], tolerance: Double = 1e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs(Double($0) - $1) <= tolerance }
    }

    @Test func fedAvgAddsTheScaledAverage() {
        let settings = ServerOptimizerSettings(kind: .fedavg, learningRate: 0.5)

        let xs = Self.run(settings, from: [1, 2], [[0.5, -1], [1, 1]])

        // x = [1, 2] + 0.5·[0.5, −1] = [1.25, 1.5];  + 0.5·[1, 1] = [1.75, 2]
        #expect(xs == [[1.25, 1.5], [1.75, 2]])
    }

    @Test func fedAvgMAccumulatesMomentumFromTheFirstDelta() {
        let settings = ServerOptimizerSettings(kind: .fedavgm, learningRate: 1, momentum: 0.5)

        let xs = Self.run(settings, from: [1], [[2], [-2], [4]])

        // m = 2, x = 3;  m = 0.5·2 − 2 = −1, x = 2;  m = 0.5·(−1) + 4 = 3.5, x = 5.5
        #expect(xs == [[3], [2], [5.5]])
    }

    @Test func fedAdamUsesFlowersBiasCorrectionWithExponentTPlusOne() {
        let settings = ServerOptimizerSettings(kind: .fedadam, learningRate: 1, beta1: 0.5, beta2: 0.75, tau: 1e-9)

        let xs = Self.run(settings, from: [1], [[2], [-2], [1]])

        // η_t = √(1 − 0.75^(t+1)) / (1 − 0.5^(t+1)): η₁ = 0.8819171, η₂ = 0.8689661, η₃ = 0.8819171
        // t=1: m = 0.5·2 = 1, v = 0.25·4 = 1;              x = 1 + η₁·1/(√1 + τ) = 1.8819171
        // t=2: m = 0.5 − 1 = −0.5, v = 0.75 + 1 = 1.75;     x −= η₂·0.5/√1.75 → 1.5534788
        // t=3: m = −0.25 + 0.5 = 0.25, v = 1.3125 + 0.25;  x += η₃·0.25/√1.5625 → 1.7298622
        #expect(Self.close(xs.map { $0[0] }, [1.8819171028, 1.5534787982, 1.7298622188]), "\(xs)")
    }

    @Test func fedYogiMovesVByTheSignOfVMinusDeltaSquared() {
        let settings = ServerOptimizerSettings(kind: .fedyogi, learningRate: 0.1, beta1: 0.5, beta2: 0.75, tau: 1e-3)

        let xs = Self.run(settings, from: [0, 0], [[2, 0], [1, 0], [0.5, 0]])

        // t=1: m = 1, v = 0 − 0.25·4·sign(0 − 4) = 1;  x = 0.1·1/(1 + 0.001) = 0.0999001
        //      (Δ = 0: sign(0) = 0, so m = v = 0 and x stays 0)
        // t=2: m = 0.5 + 0.5 = 1, sign(1 − 1) = 0 so v = 1;  x += 0.0999001 → 0.1998002
        // t=3: m = 0.5 + 0.25 = 0.75, v = 1 − 0.25·0.25·sign(1 − 0.25) = 0.9375;
        //      x += 0.1·0.75/(√0.9375 + 0.001) = 0.0773797 → 0.2771799
        #expect(Self.close(xs.map { $0[0] }, [0.0999001, 0.1998002, 0.2771799]), "\(xs)")
        #expect(xs.allSatisfy { $0[1] == 0 })
    }

    @Test func fedAdagradSumsSquaredDeltas() {
        let settings = ServerOptimizerSettings(kind: .fedadagrad, learningRate: 0.1)

        let xs = Self.run(settings, from: [1], [[3], [4], [0]])

        // β₁ = 0 so m = Δ: v = 9, x = 1 + 0.1·3/3 = 1.1;  v = 25, x += 0.1·4/5 → 1.18;  m = 0: x stays
        #expect(Self.close(xs.map { $0[0] }, [1.1, 1.18, 1.18]), "\(xs)")
    }

    struct Fixture: Decodable {
        struct Entry: Decodable {
            var name: String
            var shape: [Int]
        }
        struct Step: Decodable {
            var delta: [String: [Double]]
            var float32: [String: [Double]]
            var flower: [String: [Double]]
        }
        struct Case: Decodable {
            var name: String
            var settings: ServerOptimizerSettings
            var steps: [Step]
            var flower_is_float32: Bool
            var max_abs_difference: Double
        }
        var spec: [Entry]
        var initial: [String: [Double]]
        var cases: [Case]

        static func load() throws -> Fixture {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/strategies/flower.json")
            return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        }
    }

    /// Five rounds of each Flower strategy: fedtune gives the bits of Flower's update lines in
    /// float32 (and so Flower's own output wherever Flower stays in float32: FedAvgM, FedYogi,
    /// FedAdagrad), and is within 1e-6 of Flower's float64 FedAdam.
    @Test func matchesFlowerStrategiesStepByStep() throws {
        let fixture = try Fixture.load()
        let spec = TensorSpec(fixture.spec.map { (name: $0.name, shape: $0.shape) })
        func tensors(_ values: [String: [Double]]) -> OrderedDictionary<String, Tensor> {
            var out: OrderedDictionary<String, Tensor> = [:]
            for entry in spec.entries {
                out[entry.name] = Tensor(shape: entry.shape, scalars: values[entry.name]!.map(Float.init))
            }
            return out
        }
        #expect(fixture.cases.count == 9)

        for testCase in fixture.cases {
            try testCase.settings.validate()
            var optimizer = ServerOptimizer(settings: testCase.settings, spec: spec)
            var global = tensors(fixture.initial)
            for (round, step) in testCase.steps.enumerated() {
                optimizer.apply(tensors(step.delta), to: &global)

                for entry in spec.entries {
                    let mine = global[entry.name]!.scalars
                    let replica = step.float32[entry.name]!.map(Float.init)
                    #expect(
                        mine.map(\.bitPattern) == replica.map(\.bitPattern),
                        "\(testCase.name) round \(round + 1) \(entry.name): \(mine) vs Flower in float32 \(replica)"
                    )
                    let flower = step.flower[entry.name]!
                    let worst = zip(mine, flower).map { abs(Double($0) - $1) }.max() ?? 0
                    #expect(
                        testCase.flower_is_float32 ? worst == 0 : worst <= 1e-6,
                        "\(testCase.name): |diff| \(worst)"
                    )
                }
            }
        }
    }

    static let spec = TensorSpec([(name: "w", shape: [2, 3]), (name: "b", shape: [3])])

    static func randomDelta(_ generator: inout SeededGenerator) -> OrderedDictionary<String, Tensor> {
        var out: OrderedDictionary<String, Tensor> = [:]
        for entry in Self.spec.entries {
            let count = entry.shape.reduce(1, *)
            out[entry.name] = Tensor(shape: entry.shape, scalars: (0..<count).map { _ in 0.1 * generator.nextNormal() })
        }
        return out
    }

    static let statefulSettings: [ServerOptimizerSettings] = [
        ServerOptimizerSettings(kind: .fedavgm, learningRate: 0.7, momentum: 0.9),
        .defaults(.fedadam), .defaults(.fedyogi), .defaults(.fedadagrad),
    ]

    /// Three steps, the state saved and restored into a new optimizer, three more steps: the
    /// same bits as six steps without the interruption.
    @Test(arguments: statefulSettings)
    func resumingFromSavedStateIsExact(_ settings: ServerOptimizerSettings) throws {
        var generator = SeededGenerator(seed: 14)
        let deltas = (0..<6).map { _ in Self.randomDelta(&generator) }
        let start = Self.randomDelta(&generator)
        var straight = ServerOptimizer(settings: settings, spec: Self.spec)
        var straightGlobal = start
        for delta in deltas { straight.apply(delta, to: &straightGlobal) }

        var first = ServerOptimizer(settings: settings, spec: Self.spec)
        var global = start
        for delta in deltas[..<3] { first.apply(delta, to: &global) }
        let saved = first.state
        var resumed = try ServerOptimizer(settings: settings, spec: Self.spec, restoring: saved)
        for delta in deltas[3...] { resumed.apply(delta, to: &global) }

        #expect(saved[ServerOptimizer.stepName]?.scalars == [3])
        #expect(resumed.steps == 6)
        #expect(global == straightGlobal)
        #expect(resumed.state == straight.state)
    }

    @Test func fedAvgAndMomentumFreeFedAvgMKeepNoState() {
        #expect(ServerOptimizer(settings: .defaults(.fedavg), spec: Self.spec).state.isEmpty)
        #expect(ServerOptimizer(settings: .defaults(.fedavgm), spec: Self.spec).state.isEmpty)
        let adam = ServerOptimizer(settings: .defaults(.fedadam), spec: Self.spec)
        #expect(
            Array(adam.state.keys) == ["server.step", "server.m/w", "server.m/b", "server.v/w", "server.v/b"]
        )
        #expect(adam.bytesHeld == 2 * 9 * 4)
    }

    @Test func restoringRefusesStateThatDoesNotFit() throws {
        let settings = ServerOptimizerSettings.defaults(.fedadam)
        var optimizer = ServerOptimizer(settings: settings, spec: Self.spec)
        var generator = SeededGenerator(seed: 3)
        var global = Self.randomDelta(&generator)
        optimizer.apply(Self.randomDelta(&generator), to: &global)
        let good = optimizer.state
        func attempt(_ edit: (inout OrderedDictionary<String, Tensor>) -> Void) -> ServerOptimizerError? {
            var state = good
            edit(&state)
            do {
                _ = try ServerOptimizer(settings: settings, spec: Self.spec, restoring: state)
                return nil
            } catch { return error }
        }

        #expect(attempt { $0["server.v/b"] = nil } == .missingState(name: "server.v/b", kind: .fedadam))
        #expect(
            attempt { $0["server.momentum/w"] = Tensor(shape: [2, 3]) }
                == .unexpectedState(name: "server.momentum/w", kind: .fedadam)
        )
        #expect(
            attempt { $0["server.m/w"] = Tensor(shape: [3, 2]) }
                == .misshapenState(name: "server.m/w", expected: [2, 3], found: [3, 2])
        )
        #expect(
            attempt { $0["server.m/b"]!.scalars[1] = .nan }
                == .corruptState(name: "server.m/b", detail: "holds a value that is not finite")
        )
        #expect(
            attempt { $0["server.v/w"]!.scalars[0] = -1 }
                == .corruptState(name: "server.v/w", detail: "holds a negative second moment")
        )
        let fraction = attempt { $0["server.step"]!.scalars[0] = 2.5 }
        #expect(fraction?.description.contains("server.step is 2.5, not a whole number") == true)
        #expect(attempt { _ in } == nil)
        let unexpected = ServerOptimizerError.unexpectedState(name: "server.momentum/w", kind: .fedadam)
        #expect(
            unexpected.description.hasPrefix(
                "the saved server-optimizer state holds server.momentum/w, which fedadam does not keep"
            )
        )
    }

    @Test func flowersDefaultsAreTheDefaults() throws {
        let adam = ServerOptimizerSettings.defaults(.fedadam)
        let yogi = ServerOptimizerSettings.defaults(.fedyogi)
        let adagrad = ServerOptimizerSettings.defaults(.fedadagrad)
        let avgm = ServerOptimizerSettings.defaults(.fedavgm)

        #expect([adam.learningRate, adam.beta1, adam.beta2, adam.tau] == [0.1, 0.9, 0.99, 1e-9])
        #expect([yogi.learningRate, yogi.beta1, yogi.beta2, yogi.tau] == [0.01, 0.9, 0.99, 1e-3])
        #expect([adagrad.learningRate, adagrad.beta1, adagrad.beta2, adagrad.tau] == [0.1, 0, nil, 1e-9])
        #expect([avgm.learningRate, avgm.momentum] == [1, 0])
        #expect(
            ServerOptimizerSettings(kind: .fedyogi, learningRate: 0.5, tau: 0.01).resolved
                == ServerOptimizerSettings(kind: .fedyogi, learningRate: 0.5, beta1: 0.9, beta2: 0.99, tau: 0.01)
        )
        for kind in ServerOptimizerKind.allCases { try ServerOptimizerSettings.defaults(kind).validate() }
    }

    @Test func outOfRangeSettingsAreRefusedByTheirKey() {
        func problem(_ settings: ServerOptimizerSettings) -> String? {
            do {
                try settings.validate()
                return nil
            } catch { return error.description }
        }

        #expect(
            problem(.init(kind: .fedavg, learningRate: 0))
                == "strategy.server_learning_rate must be a number in (0, 100], not 0.0"
        )
        #expect(
            problem(.init(kind: .fedadam, learningRate: .nan))?.hasPrefix("strategy.server_learning_rate must be")
                == true
        )
        #expect(
            problem(.init(kind: .fedavgm, learningRate: 1, momentum: 1))
                == "strategy.momentum must be a number in [0, 1), not 1.0"
        )
        #expect(
            problem(.init(kind: .fedadam, learningRate: 0.1, beta1: -0.1))
                == "strategy.beta1 must be a number in [0, 1), not -0.1"
        )
        #expect(
            problem(.init(kind: .fedyogi, learningRate: 0.1, beta2: 1))
                == "strategy.beta2 must be a number in [0, 1), not 1.0"
        )
        #expect(
            problem(.init(kind: .fedadagrad, learningRate: 0.1, tau: 0))
                == "strategy.tau must be a number in (0, 1], not 0.0"
        )
        #expect(
            problem(.init(kind: .fedadagrad, learningRate: 0.1, beta2: 0.9))
                == "strategy.beta2 does not apply to the fedadagrad server optimizer: remove it, or choose "
                + "an optimizer that uses it (fedadam, fedyogi)"
        )
        #expect(problem(.init(kind: .fedavg, learningRate: 1, momentum: 0.9))?.contains("(fedavgm)") == true)
    }
}
