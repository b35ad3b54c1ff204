import FedTensor
import Foundation
import Testing

@testable import FedLearning

struct LossGradientTests {
    static let settings: [(weights: [Float]?, smoothing: Float)] = [
        (nil, 0), ([0.5, 2, 1, 3], 0), (nil, 0.1), ([0.5, 2, 1, 3], 0.2),
    ]

    @Test(arguments: settings)
    func crossEntropyBackwardMatchesFiniteDifferences(weights: [Float]?, smoothing: Float) {
        var generator = SeededGenerator(seed: 21)
        let logits = Tensor.normal(shape: [5, 4], std: 2, using: &generator)
        let targets = [0, 3, 1, 1, 2]
        let loss = SoftmaxCrossEntropy(classes: 4, classWeights: weights, labelSmoothing: smoothing)

        _ = loss.forward(logits, targets: targets)
        loss.backward(targets: targets)
        let analytic = loss.logitsGradient

        let numeric = GradientCheck.numericGradient(at: logits) { loss.forward($0, targets: targets) }
        #expect(analytic.maxAbsDifference(numeric) < 1e-3)
    }

    @Test func crossEntropyMatchesPyTorchValues() {
        let logits = Tensor(shape: [2, 3], scalars: [1, 2, 3, 0.5, -1, 2])
        let targets = [2, 0]

        let plain = SoftmaxCrossEntropy(classes: 3).forward(logits, targets: targets)
        let weighted = SoftmaxCrossEntropy(classes: 3, classWeights: [2, 1, 0.5]).forward(logits, targets: targets)
        let smoothed = SoftmaxCrossEntropy(classes: 3, labelSmoothing: 0.1).forward(logits, targets: targets)

        // PyTorch's cross_entropy(logits, targets[, weight=w | label_smoothing=0.1]), computed in float64 by numpy
        #expect(abs(plain - 1.0744586) < 1e-5)
        #expect(abs(weighted - 1.4745702) < 1e-5)
        #expect(abs(smoothed - 1.1244586) < 1e-5)
    }

    @Test func meanSquaredErrorValueAndGradient() {
        let mse = MeanSquaredError()
        let prediction = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let target = Tensor(shape: [2, 2], scalars: [0, 2, 5, 4])

        let value = mse(prediction, target: target)

        #expect(value == Float(1 + 0 + 4 + 0) / 4)
        #expect(mse.predictionGradient.scalars == [0.5, 0, -1, 0])
    }

    @Test func meanSquaredErrorBackwardMatchesFiniteDifferences() {
        var generator = SeededGenerator(seed: 31)
        let prediction = Tensor.normal(shape: [3, 4], std: 1, using: &generator)
        let target = Tensor.normal(shape: [3, 4], std: 1, using: &generator)
        let mse = MeanSquaredError()

        _ = mse(prediction, target: target)
        let analytic = mse.predictionGradient

        let numeric = GradientCheck.numericGradient(at: prediction) { mse($0, target: target) }
        #expect(analytic.maxAbsDifference(numeric) < 1e-3)
    }
}
