import FedTensor
import Foundation
import Testing

@testable import FedLearning

/// The focal loss: its gradient against central finite differences, its value against the
/// formula, γ = 0 equal to the weighted cross-entropy, and no NaN when an example is certain.
struct FocalLossTests {
    static let settings: [(gamma: Float, weights: [Float]?)] = [
        (2, nil), (0.5, nil), (1, [0.25, 4, 1]), (5, [1, 2, 0.5]), (0, [3, 1, 1]),
    ]

    @Test(arguments: settings)
    func backwardMatchesFiniteDifferences(gamma: Float, weights: [Float]?) {
        var generator = SeededGenerator(seed: 44)
        let logits = Tensor.normal(shape: [6, 3], std: 1.5, using: &generator)
        let targets = [0, 2, 1, 1, 0, 2]
        let loss = FocalLoss(classes: 3, gamma: gamma, classWeights: weights)

        _ = loss.forward(logits, targets: targets)
        loss.backward(targets: targets)
        let analytic = loss.logitsGradient
        let numeric = GradientCheck.numericGradient(at: logits, step: 1e-2) { loss.forward($0, targets: targets) }

        #expect(analytic.maxAbsDifference(numeric) < 2e-4, "max |diff| \(analytic.maxAbsDifference(numeric))")
    }

    @Test func valueIsTheFormula() {
        // p = softmax([2, 0]) = (0.8808, 0.1192); target 1 (hard), then target 0 (easy); α = (1, 3).
        let logits = Tensor(shape: [2, 2], scalars: [2, 0, 2, 0])
        let value = FocalLoss(classes: 2, gamma: 2, classWeights: [1, 3]).forward(logits, targets: [1, 0])
        let p1 = 1 / (1 + exp(2.0))
        let expected = (3 * pow(1 - p1, 2) * -log(p1) + 1 * pow(p1, 2) * -log(1 - p1)) / 4
        #expect(abs(Double(value) - expected) < 1e-6)
    }

    @Test func gammaZeroIsTheWeightedCrossEntropy() {
        var generator = SeededGenerator(seed: 3)
        let logits = Tensor.normal(shape: [5, 4], std: 2, using: &generator)
        let targets = [3, 0, 1, 2, 2]
        let weights: [Float] = [1, 2, 0.5, 4]
        let focal = FocalLoss(classes: 4, gamma: 0, classWeights: weights)
        let crossEntropy = SoftmaxCrossEntropy(classes: 4, classWeights: weights)

        #expect(abs(focal.forward(logits, targets: targets) - crossEntropy.forward(logits, targets: targets)) < 1e-6)
        focal.backward(targets: targets)
        crossEntropy.backward(targets: targets)
        #expect(focal.logitsGradient.maxAbsDifference(crossEntropy.logitsGradient) < 1e-6)
    }

    @Test func aCertainExampleGivesNoNaN() {
        let logits = Tensor(shape: [2, 2], scalars: [60, -60, -60, 60])
        for gamma: Float in [0.5, 2] {
            let loss = FocalLoss(classes: 2, gamma: gamma)
            let value = loss.forward(logits, targets: [0, 0])
            loss.backward(targets: [0, 0])
            #expect(value.isFinite && loss.logitsGradient.scalars.allSatisfy(\.isFinite))
            #expect(loss.logitsGradient.scalars[0] == 0, "a certain, right example pulls nothing")
        }
    }
}
