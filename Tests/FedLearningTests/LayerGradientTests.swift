import FedTensor
import Foundation
import Testing

@testable import FedLearning

struct LayerGradientTests {
    static func input(_ shape: [Int], seed: UInt64 = 1) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return .normal(shape: shape, std: 1, using: &generator)
    }

    @Test func linearForwardIsAffineAndBackwardMatchesFiniteDifferences() {
        var parameters = ParameterStore()
        var generator = SeededGenerator(seed: 4)
        let layer = Linear("fc", inputs: 5, outputs: 3, parameters: &parameters, generator: &generator)
        let x = Self.input([4, 5])

        layer.forward(x, parameters: parameters, training: false)

        let w = parameters[layer.weight].value
        let b = parameters[layer.bias!].value
        #expect(abs(layer.output[1, 2] - ((0..<5).reduce(0) { $0 + x[1, $1] * w[2, $1] } + b[2])) < 1e-5)
        let bad = GradientCheck.mismatches(layer: layer, parameters: parameters, input: x)
        #expect(bad.isEmpty, "\(bad.prefix(3))")
    }

    @Test func frozenLinearAccumulatesNoGradient() {
        var parameters = ParameterStore()
        var generator = SeededGenerator(seed: 4)
        let layer = Linear("fc", inputs: 3, outputs: 2, parameters: &parameters, generator: &generator)
        parameters[layer.weight].trainable = false
        let x = Self.input([2, 3])

        layer.forward(x, parameters: parameters, training: true)
        layer.backward(
            x,
            outputGradient: Tensor(shape: [2, 2], repeating: 1),
            parameters: &parameters,
            needsInputGradient: true
        )

        #expect(parameters[layer.weight].grad.scalars.allSatisfy { $0 == 0 })
        #expect(parameters[layer.bias!].grad.scalars == [2, 2])
    }

    @Test(arguments: ActivationKind.allCases)
    func activationBackwardMatchesFiniteDifferences(kind: ActivationKind) {
        let layer = Activation(kind)
        // Keep ReLU's inputs away from its kink at 0, where finite differences are wrong.
        var x = Self.input([3, 4], seed: 9)
        if kind == .relu { x.apply { abs($0) < 0.05 ? 0.3 : $0 } }

        let bad = GradientCheck.mismatches(layer: layer, parameters: ParameterStore(), input: x, step: 1e-3)

        #expect(bad.isEmpty, "\(bad.prefix(3))")
    }

    @Test func geluUsesTheErfForm() {
        let layer = Activation(.gelu)

        layer.forward(Tensor(shape: [3], scalars: [-1, 0, 2]), parameters: ParameterStore(), training: false)

        // 0.5·x·(1 + erf(x/√2)), as torch.nn.GELU() with approximate="none"
        let expected: [Float] = [-0.15865526, 0, 1.9544997]
        #expect(zip(layer.output.scalars, expected).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func layerNormNormalisesRowsAndBackwardMatchesFiniteDifferences() {
        var parameters = ParameterStore()
        let layer = LayerNorm("ln", width: 6, epsilon: 1e-5, parameters: &parameters)
        var generator = SeededGenerator(seed: 3)
        parameters[layer.weight].value = .normal(shape: [6], std: 1, using: &generator)
        parameters[layer.bias].value = .normal(shape: [6], std: 1, using: &generator)
        let x = Self.input([3, 6], seed: 5)

        let bad = GradientCheck.mismatches(layer: layer, parameters: parameters, input: x, step: 1e-2, atol: 5e-3)

        #expect(bad.isEmpty, "\(bad.prefix(3))")
        var plain = ParameterStore()
        let unit = LayerNorm("ln", width: 6, epsilon: 1e-5, parameters: &plain)
        unit.forward(x, parameters: plain, training: false)
        let row = Array(unit.output.scalars[0..<6])
        let mean = row.reduce(0, +) / 6
        let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 6
        #expect(abs(mean) < 1e-5)
        #expect(abs(variance - 1) < 1e-3)
    }

    @Test func dropoutKeepsExpectationAndBackwardUsesTheSameMask() {
        let layer = Dropout(rate: 0.5, seed: 12)
        let saved = layer.generator
        let x = Self.input([8, 8], seed: 2)

        let bad = GradientCheck.mismatches(
            layer: layer,
            parameters: ParameterStore(),
            input: x,
            training: true,
            beforeForward: { layer.generator = saved }
        )

        #expect(bad.isEmpty, "\(bad.prefix(3))")
        layer.forward(x, parameters: ParameterStore(), training: true)
        let zeros = layer.output.scalars.filter { $0 == 0 }.count
        #expect(zeros > 16 && zeros < 48)
        #expect(zip(layer.output.scalars, x.scalars).allSatisfy { $0 == 0 || abs($0 - 2 * $1) < 1e-6 })
        layer.forward(x, parameters: ParameterStore(), training: false)
        #expect(layer.output == x)
    }

    @Test func embeddingGathersRowsAndAccumulatesRepeatedIds() {
        var parameters = ParameterStore()
        var generator = SeededGenerator(seed: 6)
        let layer = Embedding("emb", vocabulary: 5, width: 3, parameters: &parameters, generator: &generator)
        let ids: [Int32] = [4, 1, 4]
        let table = parameters[layer.weight].value

        layer.forward(ids, parameters: parameters)
        let projection = Self.input([3, 3], seed: 8)
        layer.backward(ids, outputGradient: projection, parameters: &parameters)

        #expect(Array(layer.output.scalars[0..<3]) == Array(table.scalars[12..<15]))
        // Numeric gradient of Σ R ⊙ E[ids] with respect to each table entry.
        let h: Float = 1e-2
        for i in 0..<table.count {
            var plus = parameters
            var minus = parameters
            plus[layer.weight].value.scalars[i] += h
            minus[layer.weight].value.scalars[i] -= h
            layer.forward(ids, parameters: plus)
            let up = layer.output.dot(projection)
            layer.forward(ids, parameters: minus)
            let down = layer.output.dot(projection)
            #expect(abs(parameters[layer.weight].grad.scalars[i] - (up - down) / (2 * h)) < 2e-3, "entry \(i)")
        }
    }
}
