import FedTensor
import Testing

@testable import FedLearning

struct BatchNormTests {
    /// A BatchNorm with random γ, β and running statistics (variance kept positive).
    static func randomized(channels: Int, parameters: inout ParameterStore, epsilon: Float = 1e-3) -> BatchNorm2d {
        let layer = BatchNorm2d("bn", channels: channels, epsilon: epsilon, parameters: &parameters)
        var generator = SeededGenerator(seed: 21)
        parameters[layer.weight].value = .normal(shape: [channels], std: 1, using: &generator)
        parameters[layer.bias].value = .normal(shape: [channels], std: 1, using: &generator)
        parameters[layer.runningMean].value = .normal(shape: [channels], std: 1, using: &generator)
        parameters[layer.runningVariance].value = .uniform(shape: [channels], bound: 1, using: &generator)
        parameters[layer.runningVariance].value.apply { abs($0) + 0.5 }
        return layer
    }

    @Test func storesPyTorchNamesWithFrozenRunningStatistics() {
        var parameters = ParameterStore()

        _ = BatchNorm2d("features.bn0", channels: 3, parameters: &parameters)

        #expect(
            parameters.names == [
                "features.bn0.weight", "features.bn0.bias", "features.bn0.running_mean", "features.bn0.running_var",
            ]
        )
        #expect(parameters.entries.map(\.trainable) == [true, true, false, false])
        #expect(parameters["features.bn0.running_var"]?.value.scalars == [1, 1, 1])
    }

    @Test func trainingForwardNormalisesWithBatchStatisticsAndUpdatesRunningOnesOnce() {
        // One channel holding 1, 2 (image 0) and 3, 4 (image 1): mean 2.5, biased variance 1.25,
        // unbiased 5/3. With ε = 0: y = (x − 2.5)/√1.25 = ∓1.3416, ∓0.4472.
        var parameters = ParameterStore()
        let layer = BatchNorm2d("bn", channels: 1, epsilon: 0, momentum: 0.1, parameters: &parameters)
        let x = Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 4])

        layer.forward(x, parameters: parameters, training: true)
        let first = layer.updateRunningStatistics(&parameters)
        let second = layer.updateRunningStatistics(&parameters)

        let expected: [Float] = [-1.3416408, -0.4472136, 0.4472136, 1.3416408]
        #expect(zip(layer.output.scalars, expected).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(first && !second)
        // running_mean = 0.9·0 + 0.1·2.5; running_var = 0.9·1 + 0.1·5/3
        #expect(abs(parameters[layer.runningMean].value.scalars[0] - 0.25) < 1e-6)
        #expect(abs(parameters[layer.runningVariance].value.scalars[0] - 1.0666667) < 1e-6)
    }

    @Test func evaluationUsesRunningStatisticsAndLeavesThemAlone() {
        var parameters = ParameterStore()
        let layer = BatchNorm2d("bn", channels: 2, epsilon: 1e-3, parameters: &parameters)
        parameters[layer.weight].value = Tensor(shape: [2], scalars: [2, -1])
        parameters[layer.bias].value = Tensor(shape: [2], scalars: [0.5, 1])
        parameters[layer.runningMean].value = Tensor(shape: [2], scalars: [1, -2])
        parameters[layer.runningVariance].value = Tensor(shape: [2], scalars: [3.999, 0.249])
        let x = Tensor(shape: [1, 2, 1, 2], scalars: [3, 5, 0, -2])

        layer.forward(x, parameters: parameters, training: false)

        // channel 0: (x − 1)/2·2 + 0.5 → 2.5, 4.5; channel 1: (x + 2)/0.5·(−1) + 1 → −3, 1
        let expected: [Float] = [2.5, 4.5, -3, 1]
        #expect(zip(layer.output.scalars, expected).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(!layer.updateRunningStatistics(&parameters))
        #expect(parameters[layer.runningMean].value.scalars == [1, -2])
    }

    @Test func frozenBatchNormUsesRunningStatisticsInATrainingStep() {
        var parameters = ParameterStore()
        let layer = Self.randomized(channels: 2, parameters: &parameters)
        let x = LayerGradientTests.input([3, 2, 2, 2], seed: 4)
        layer.forward(x, parameters: parameters, training: false)
        let evaluation = layer.output

        layer.useBatchStatistics = false
        layer.forward(x, parameters: parameters, training: true)

        #expect(layer.output == evaluation)
        #expect(!layer.updateRunningStatistics(&parameters))
    }

    @Test func trainingModeBackwardMatchesFiniteDifferences() {
        var parameters = ParameterStore()
        let layer = Self.randomized(channels: 3, parameters: &parameters)
        let x = LayerGradientTests.input([2, 3, 3, 2], seed: 5)

        let bad = GradientCheck.mismatches(
            layer: layer,
            parameters: parameters,
            input: x,
            training: true,
            step: 1e-2,
            atol: 5e-3
        )

        #expect(bad.isEmpty, "\(bad.prefix(3))")
        layer.forward(x, parameters: parameters, training: true)
        let output = layer.output
        for c in 0..<3 {
            let values = (0..<2).flatMap { n in (0..<6).map { output.scalars[(n * 3 + c) * 6 + $0] } }
            let mean = values.reduce(0, +) / 12
            #expect(abs(mean - parameters[layer.bias].value.scalars[c]) < 1e-4)
        }
    }

    @Test func evaluationModeBackwardMatchesFiniteDifferences() {
        var parameters = ParameterStore()
        let layer = Self.randomized(channels: 3, parameters: &parameters)
        layer.useBatchStatistics = false
        let x = LayerGradientTests.input([2, 3, 2, 3], seed: 6)

        let bad = GradientCheck.mismatches(layer: layer, parameters: parameters, input: x, training: true)

        #expect(bad.isEmpty, "\(bad.prefix(3))")
    }

    @Test func frozenAffineGetsNoGradientButTheInputDoes() {
        var parameters = ParameterStore()
        let layer = Self.randomized(channels: 2, parameters: &parameters)
        parameters[layer.weight].trainable = false
        parameters[layer.bias].trainable = false
        let x = LayerGradientTests.input([2, 2, 2, 2], seed: 7)

        layer.forward(x, parameters: parameters, training: true)
        layer.backward(
            x,
            outputGradient: LayerGradientTests.input([2, 2, 2, 2], seed: 8),
            parameters: &parameters,
            needsInputGradient: true
        )

        #expect(parameters[layer.weight].grad.scalars.allSatisfy { $0 == 0 })
        #expect(parameters[layer.bias].grad.scalars.allSatisfy { $0 == 0 })
        #expect(layer.inputGradient.scalars.contains { $0 != 0 })
    }

    @Test(arguments: [false, true])
    func foldedConvolutionEqualsConvolutionThenBatchNorm(convolutionHasBias: Bool) {
        var parameters = ParameterStore()
        var generator = SeededGenerator(seed: 9)
        let conv = Conv2d(
            "conv",
            inChannels: 3,
            outChannels: 4,
            kernelSize: 3,
            stride: 2,
            bias: convolutionHasBias,
            parameters: &parameters,
            generator: &generator
        )
        let norm = Self.randomized(channels: 4, parameters: &parameters)
        let x = LayerGradientTests.input([2, 3, 6, 5], seed: 10)
        conv.forward(x, parameters: parameters, training: false)
        norm.forward(conv.output, parameters: parameters, training: false)

        let (weight, bias) = norm.folded(into: conv, parameters: parameters)
        var foldedParameters = ParameterStore()
        let folded = Conv2d(
            "folded",
            inChannels: 3,
            outChannels: 4,
            kernelSize: 3,
            stride: 2,
            bias: true,
            parameters: &foldedParameters,
            generator: &generator
        )
        foldedParameters[folded.weight].value = weight
        foldedParameters[folded.bias!].value = bias
        folded.forward(x, parameters: foldedParameters, training: false)

        #expect(folded.output.maxAbsDifference(norm.output) < 1e-4)
    }
}
