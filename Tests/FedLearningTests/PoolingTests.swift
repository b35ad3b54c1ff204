import FedTensor
import Testing

@testable import FedLearning

struct PoolingTests {
    @Test func maxPoolKeepsEachWindowsMaximum() {
        // 4×4 image 0…15 with 9 and 6 swapped (row 1, column 2 ↔ row 2, column 1); 2×2 windows,
        // stride 2: max(0, 1, 4, 5), max(2, 3, 9, 7), max(8, 6, 12, 13), max(10, 11, 14, 15).
        var values = (0..<16).map(Float.init)
        values.swapAt(9, 6)
        let layer = MaxPool2d(kernelSize: 2)

        layer.forward(Tensor(shape: [1, 1, 4, 4], scalars: values), parameters: ParameterStore(), training: false)

        #expect(layer.output.shape == [1, 1, 2, 2])
        #expect(layer.output.scalars == [5, 9, 13, 15])
    }

    @Test func paddedOverlappingMaxPoolRoutesGradientsToTheMaxima() {
        // Distinct values 0.1 apart, so no finite-difference step changes which element wins.
        var generator = SeededGenerator(seed: 2)
        let order = (0..<(2 * 2 * 5 * 5)).shuffled(using: &generator)
        let x = Tensor(shape: [2, 2, 5, 5], scalars: order.map { Float($0) / 10 })
        let layer = MaxPool2d(kernelSize: 3, stride: 2, padding: .symmetric(1))

        let bad = GradientCheck.mismatches(layer: layer, parameters: ParameterStore(), input: x, step: 1e-2)

        #expect(bad.isEmpty, "\(bad.prefix(3))")
        #expect(layer.output.shape == [2, 2, 3, 3])
        // The top-left window covers rows 0–1 and columns 0–1 (the rest is padding).
        let corner = [x[0, 0, 0, 0], x[0, 0, 0, 1], x[0, 0, 1, 0], x[0, 0, 1, 1]].max()!
        #expect(layer.output[0, 0, 0, 0] == corner)
    }

    @Test func samePaddedMaxPoolMatchesTensorFlowsOutputSize() {
        let layer = MaxPool2d(kernelSize: 3, stride: 2, padding: .same)

        layer.forward(LayerGradientTests.input([1, 1, 7, 8]), parameters: ParameterStore(), training: false)

        #expect(layer.output.shape == [1, 1, 4, 4])
    }

    @Test func globalAveragePoolAveragesEachPlane() {
        let x = Tensor(shape: [2, 3, 2, 2], scalars: (0..<24).map(Float.init))
        let layer = GlobalAveragePool()

        layer.forward(x, parameters: ParameterStore(), training: false)

        #expect(layer.output.shape == [2, 3])
        #expect(layer.output.scalars == [1.5, 5.5, 9.5, 13.5, 17.5, 21.5])
        let bad = GradientCheck.mismatches(
            layer: layer,
            parameters: ParameterStore(),
            input: LayerGradientTests.input([2, 3, 3, 2], seed: 3)
        )
        #expect(bad.isEmpty, "\(bad.prefix(3))")
    }

    @Test func reluSixClipsAtZeroAndSix() {
        let layer = Activation(.relu6)

        layer.forward(Tensor(shape: [5], scalars: [-2, 0.5, 3, 6.5, 12]), parameters: ParameterStore(), training: false)

        #expect(layer.output.scalars == [0, 0.5, 3, 6, 6])
    }

    @Test func reluSixBackwardMatchesFiniteDifferencesAwayFromItsKinks() {
        // Inputs spread over −3…9, none within 0.05 of the kinks at 0 and 6.
        var x = LayerGradientTests.input([3, 8], seed: 4)
        x.apply { $0 * 4 + 3 }
        x.apply { abs($0) < 0.05 || abs($0 - 6) < 0.05 ? $0 + 0.2 : $0 }
        let layer = Activation(.relu6)

        let bad = GradientCheck.mismatches(layer: layer, parameters: ParameterStore(), input: x, step: 1e-3)

        #expect(bad.isEmpty, "\(bad.prefix(3))")
        #expect(x.scalars.contains { $0 > 6 } && x.scalars.contains { $0 < 0 })
    }
}
