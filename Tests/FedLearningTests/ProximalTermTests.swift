import FedData
import FedTensor
import Foundation
import OrderedCollections
import Testing

@testable import FedLearning

/// FedProx on the site: the proximal gradient against finite differences of the penalised
/// loss, μ = 0 as training without it, a larger μ keeping the trained tensors nearer the
/// global ones, and `proximal_mu` as the settings spell it.
struct ProximalTermTests {
    static let domain = SyntheticDomain(features: 8, classes: 4, noise: 1.0, worldSeed: 3)

    /// A small MLP; tanh rather than ReLU so that no finite-difference step crosses a kink.
    static func model() -> Classifier {
        var architecture = ModelArchitecture(inputs: 8, hidden: [6], classes: 4)
        architecture.activation = .tanh
        return Classifier(architecture: architecture, seed: 1)
    }

    @Test func penaltyIsHalfMuTimesTheSquaredDistance() {
        var store = ParameterStore()
        store.add("w", Tensor(shape: [2], scalars: [1, 2]))
        store.add("frozen", Tensor(shape: [1], scalars: [5]), trainable: false)
        let term = ProximalTerm(
            mu: 2,
            anchor: ["w": Tensor(shape: [2], scalars: [0, 0]), "frozen": Tensor(shape: [1], scalars: [0])],
            parameters: store
        )

        term.addGradient(to: &store)

        // μ/2·(1² + 2²) = 5; the frozen tensor is not anchored and gets no gradient.
        #expect(term.penalty(store) == 5)
        #expect(term.anchoredNames(in: store) == ["w"])
        #expect(store["w"]?.grad.scalars == [2, 4])
        #expect(store["frozen"]?.grad.scalars == [0])
    }

    /// d/dw [cross-entropy(w) + μ/2·‖w − w_global‖²] from backward plus `addGradient`,
    /// against central differences of the penalised loss at every weight of a small MLP.
    @Test func gradientMatchesFiniteDifferencesOfThePenalisedLoss() throws {
        let data = Self.domain.sample(count: 24, seed: 1)
        let rows = Array(0..<data.count)[...]
        let model = Self.model()
        let anchor = model.parameters.values(trainableOnly: true)
        var generator = SeededGenerator(seed: 9)
        for index in 0..<model.parameters.count {
            model.parameters[index].value.apply { $0 + 0.3 * generator.nextNormal() }
        }
        let term = ProximalTerm(mu: 0.7, anchor: anchor, parameters: model.parameters)
        let loss = SoftmaxCrossEntropy(classes: 4)
        func penalisedLoss() -> Double {
            Double(loss.forward(model.logits(data, rows: rows, training: false), targets: data.labels))
                + term.penalty(model.parameters)
        }

        model.parameters.zeroGradients()
        _ = penalisedLoss()
        loss.backward(targets: data.labels)
        model.backward(logitsGradient: loss.logitsGradient)
        term.addGradient(to: &model.parameters)
        let analytic = model.parameters.entries.map(\.grad)

        #expect(term.anchoredNames(in: model.parameters).count == model.parameters.count)
        var worst: (error: Double, what: String) = (0, "")
        let h: Float = 1e-2
        for index in 0..<model.parameters.count {
            for i in 0..<model.parameters[index].value.count {
                let original = model.parameters[index].value.scalars[i]
                model.parameters[index].value.scalars[i] = original + h
                let plus = penalisedLoss()
                model.parameters[index].value.scalars[i] = original - h
                let minus = penalisedLoss()
                model.parameters[index].value.scalars[i] = original
                let numeric = (plus - minus) / (2 * Double(h))
                let error = abs(Double(analytic[index].scalars[i]) - numeric) / (2e-3 + 1e-2 * abs(numeric))
                if error > worst.error {
                    worst = (
                        error, "\(model.parameters[index].name)[\(i)]: \(analytic[index].scalars[i]) vs \(numeric)"
                    )
                }
            }
        }
        #expect(worst.error <= 1, "\(worst.what)")
    }

    static func roundDelta(
        mu: Float,
        global: OrderedDictionary<String, Tensor>
    ) throws -> OrderedDictionary<String, Tensor> {
        var configuration = TrainingConfiguration()
        configuration.epochs = 5
        configuration.learningRate = 3e-2
        configuration.optimizer = OptimizerConfiguration(kind: .sgd, momentum: 0.9)
        configuration.proximalMu = mu
        configuration.seed = 4
        var shifted = Self.domain
        shifted.shift = 1.5
        let data = shifted.sample(count: 200, seed: 2)
        return try RoundTraining.train(Self.model(), global: global, data: data, configuration: configuration).delta
    }

    static func norm(_ tensors: OrderedDictionary<String, Tensor>) -> Double {
        tensors.values.reduce(0) { $0 + $1.squaredNorm() }.squareRoot()
    }

    @Test func muZeroTrainsBitForBitAsWithoutTheTerm() throws {
        let global = Self.model().parameters.values(trainableOnly: true)
        var configuration = TrainingConfiguration()
        configuration.epochs = 5
        configuration.learningRate = 3e-2
        configuration.optimizer = OptimizerConfiguration(kind: .sgd, momentum: 0.9)
        configuration.seed = 4
        var shifted = Self.domain
        shifted.shift = 1.5
        let plain = Self.model()
        try plain.load(global, requireAll: false, source: "test")
        _ = try Trainer(configuration: configuration).fit(plain, train: shifted.sample(count: 200, seed: 2))

        let delta = try Self.roundDelta(mu: 0, global: global)

        for (name, start) in global {
            var expected = plain.parameters[name]!.value
            expected.subtract(start)
            #expect(delta[name]!.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern), "\(name)")
        }
    }

    /// Outside a round (no anchor: `fedtune train`, the pooled baselines) μ changes nothing.
    @Test func trainingWithoutAnAnchorIgnoresMu() throws {
        let data = Self.domain.sample(count: 100, seed: 5)
        var configuration = TrainingConfiguration()
        configuration.epochs = 2
        let plain = Self.model()
        let withMu = Self.model()
        _ = try Trainer(configuration: configuration).fit(plain, train: data)
        configuration.proximalMu = 10

        _ = try Trainer(configuration: configuration).fit(withMu, train: data)

        #expect(withMu.parameters == plain.parameters)
    }

    @Test func largerMuKeepsTheTrainedTensorsCloserToTheGlobalOnes() throws {
        let global = Self.model().parameters.values(trainableOnly: true)

        let distances = try [0, 0.1, 1, 10].map { try Self.norm(Self.roundDelta(mu: Float($0), global: global)) }

        #expect(zip(distances, distances.dropFirst()).allSatisfy { $0 > $1 }, "\(distances)")
        #expect(distances[3] < 0.5 * distances[0], "\(distances)")
    }

    @Test func proximalMuIsReadCheckedAndWrittenOnlyWhenOn() throws {
        let off = try JSONEncoder().encode(TrainingConfiguration())
        var on = TrainingConfiguration()
        on.proximalMu = 0.01
        let onJSON = try JSONEncoder().encode(on)

        #expect(TrainingConfiguration().proximalMu == 0)
        #expect(!String(decoding: off, as: UTF8.self).contains("proximal_mu"))
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: onJSON) == on)
        let decoded = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(#"{"proximal_mu": 0.5}"#.utf8))
        #expect(decoded.proximalMu == 0.5)
        for bad in ["-1", "1001"] {
            let error = #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(TrainingConfiguration.self, from: Data(#"{"proximal_mu": \#(bad)}"#.utf8))
            }
            #expect("\(String(describing: error))".contains("proximal_mu must be in 0...1000, found \(Float(bad)!)"))
        }
    }
}
