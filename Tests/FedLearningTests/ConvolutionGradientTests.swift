import FedTensor
import FedTestSupport
import Testing

@testable import FedLearning

struct ConvolutionGradientTests {
    /// One convolution configuration, small enough for finite differences of every element.
    struct Case: CustomStringConvertible, Sendable {
        var inChannels: Int
        var outChannels: Int
        var kernel: Int
        var stride = 1
        var padding = Padding2d.same
        var groups = 1
        var bias = false
        var height = 5
        var width = 5
        var path: Conv2d.Path

        var description: String {
            "\(self.inChannels)→\(self.outChannels) k\(self.kernel) s\(self.stride) g\(self.groups) \(self.padding)"
                + " bias \(self.bias) on \(self.height)×\(self.width)"
        }
    }

    static let cases: [Case] = [
        Case(inChannels: 3, outChannels: 4, kernel: 3, bias: true, path: .im2col),
        Case(inChannels: 3, outChannels: 4, kernel: 3, stride: 2, height: 6, width: 6, path: .im2col),
        Case(inChannels: 2, outChannels: 3, kernel: 3, stride: 2, height: 7, width: 6, path: .im2col),
        Case(
            inChannels: 2,
            outChannels: 3,
            kernel: 3,
            stride: 2,
            padding: .explicit(top: 1, left: 0, bottom: 0, right: 2),
            bias: true,
            width: 6,
            path: .im2col
        ),
        Case(inChannels: 2, outChannels: 2, kernel: 3, padding: .symmetric(1), height: 4, path: .im2col),
        // 1×1 on small planes packs the batch into one product; on 10×10 and larger, one per image.
        Case(inChannels: 4, outChannels: 3, kernel: 1, path: .pointwise),
        Case(inChannels: 3, outChannels: 2, kernel: 1, bias: true, height: 10, width: 11, path: .pointwise),
        Case(inChannels: 4, outChannels: 3, kernel: 1, bias: true, height: 3, path: .pointwise),
        Case(inChannels: 3, outChannels: 2, kernel: 1, stride: 2, path: .im2col),
        Case(inChannels: 4, outChannels: 6, kernel: 3, groups: 2, path: .im2col),
        Case(inChannels: 4, outChannels: 4, kernel: 3, stride: 2, groups: 2, bias: true, height: 6, path: .im2col),
        Case(inChannels: 3, outChannels: 3, kernel: 3, groups: 3, path: .depthwise),
        Case(inChannels: 3, outChannels: 3, kernel: 3, stride: 2, groups: 3, bias: true, height: 6, path: .depthwise),
        Case(inChannels: 2, outChannels: 2, kernel: 5, groups: 2, height: 6, width: 7, path: .depthwise),
        Case(inChannels: 3, outChannels: 3, kernel: 5, stride: 2, groups: 3, height: 8, width: 7, path: .depthwise),
        Case(
            inChannels: 2,
            outChannels: 2,
            kernel: 5,
            stride: 2,
            groups: 2,
            bias: true,
            height: 9,
            width: 10,
            path: .depthwise
        ),
        Case(
            inChannels: 2,
            outChannels: 2,
            kernel: 3,
            stride: 2,
            padding: .explicit(top: 0, left: 2, bottom: 1, right: 0),
            groups: 2,
            height: 6,
            width: 7,
            path: .depthwise
        ),
        // Wide rows: the vector paths (16-column de-interleave, 8- and 32-output blocks) with an
        // even (3×3) and an odd (5×5) number of padding columns on the left.
        Case(inChannels: 2, outChannels: 2, kernel: 3, stride: 2, groups: 2, height: 4, width: 70, path: .depthwise),
        Case(inChannels: 2, outChannels: 2, kernel: 5, stride: 2, groups: 2, height: 4, width: 36, path: .depthwise),
        Case(inChannels: 2, outChannels: 2, kernel: 3, groups: 2, height: 3, width: 40, path: .depthwise),
        // No padding, and (stride 2 on 6 rows) a last input row no window reaches.
        Case(inChannels: 2, outChannels: 2, kernel: 3, padding: .none, groups: 2, bias: true, path: .depthwise),
        Case(
            inChannels: 3,
            outChannels: 3,
            kernel: 3,
            stride: 2,
            padding: .none,
            groups: 3,
            height: 6,
            path: .depthwise
        ),
    ]

    static func make(_ c: Case, parameters: inout ParameterStore, seed: UInt64 = 3) -> Conv2d {
        var generator = SeededGenerator(seed: seed)
        return Conv2d(
            "conv",
            inChannels: c.inChannels,
            outChannels: c.outChannels,
            kernelSize: c.kernel,
            stride: c.stride,
            padding: c.padding,
            groups: c.groups,
            bias: c.bias,
            parameters: &parameters,
            generator: &generator
        )
    }

    /// The convolution straight from its definition, one output element at a time.
    static func reference(_ layer: Conv2d, _ x: Tensor, _ parameters: ParameterStore) -> Tensor {
        let g = layer.geometry(for: x.shape)
        let w = parameters[layer.weight].value
        let perGroupIn = layer.inChannels / layer.groups
        let perGroupOut = layer.outChannels / layer.groups
        var y = Tensor(shape: [g.batch, layer.outChannels, g.outputHeight, g.outputWidth])
        for n in 0..<g.batch {
            for o in 0..<layer.outChannels {
                for oh in 0..<g.outputHeight {
                    for ow in 0..<g.outputWidth {
                        var total: Float = layer.bias.map { parameters[$0].value.scalars[o] } ?? 0
                        for ci in 0..<perGroupIn {
                            let c = o / perGroupOut * perGroupIn + ci
                            for ki in 0..<g.kernelHeight {
                                for kj in 0..<g.kernelWidth {
                                    let ih = oh * g.strideHeight + ki - g.top
                                    let iw = ow * g.strideWidth + kj - g.left
                                    guard ih >= 0, ih < g.height, iw >= 0, iw < g.width else { continue }
                                    total += x[n, c, ih, iw] * w[o, ci, ki, kj]
                                }
                            }
                        }
                        y[n, o, oh, ow] = total
                    }
                }
            }
        }
        return y
    }

    @Test(arguments: Self.cases)
    func forwardMatchesTheDefinitionAndBackwardMatchesFiniteDifferences(_ c: Case) async throws {
        try await offThePool {
            var parameters = ParameterStore()
            let layer = Self.make(c, parameters: &parameters)
            let x = LayerGradientTests.input([2, c.inChannels, c.height, c.width], seed: 11)

            layer.forward(x, parameters: parameters, training: true)

            #expect(layer.path == c.path)
            let expected = Self.reference(layer, x, parameters)
            #expect(layer.output.shape == expected.shape)
            #expect(layer.output.maxAbsDifference(expected) < 1e-5)
            let bad = GradientCheck.mismatches(layer: layer, parameters: parameters, input: x, training: true)
            #expect(bad.isEmpty, "\(bad.prefix(3))")
        }
    }

    @Test(arguments: Self.cases)
    func frozenWeightGetsNoGradientButTheInputDoes(_ c: Case) async throws {
        try await offThePool {
            var trained = ParameterStore()
            let reference = Self.make(c, parameters: &trained)
            var frozen = ParameterStore()
            let layer = Self.make(c, parameters: &frozen)
            frozen[layer.weight].trainable = false
            let x = LayerGradientTests.input([2, c.inChannels, c.height, c.width], seed: 12)
            reference.forward(x, parameters: trained, training: true)
            let dy = LayerGradientTests.input(reference.output.shape, seed: 13)

            layer.forward(x, parameters: frozen, training: true)
            layer.backward(x, outputGradient: dy, parameters: &frozen, needsInputGradient: true)
            reference.backward(x, outputGradient: dy, parameters: &trained, needsInputGradient: true)

            #expect(frozen[layer.weight].grad.scalars.allSatisfy { $0 == 0 })
            #expect(trained[reference.weight].grad.scalars.contains { $0 != 0 })
            #expect(layer.inputGradient.maxAbsDifference(reference.inputGradient) < 1e-6)
            if let bias = layer.bias { #expect(frozen[bias].grad == trained[bias].grad) }
        }
    }

    @Test func samePaddingPutsTheExtraRowAfterTheImage() {
        // TF "SAME" for a 3×3 stride-2 window on 224: output 112, one padding row, all of it
        // at the bottom; 5×5 stride 2 on 112: 56, three rows, one above and two below.
        let stem = WindowGeometry(input: [1, 3, 224, 224], kernel: (3, 3), stride: (2, 2), padding: .same)
        let depthwise = WindowGeometry(input: [1, 1, 112, 112], kernel: (5, 5), stride: (2, 2), padding: .same)
        let flat = WindowGeometry(input: [1, 1, 14, 14], kernel: (5, 5), stride: (1, 1), padding: .same)

        #expect((stem.outputHeight, stem.outputWidth, stem.top, stem.left) == (112, 112, 0, 0))
        #expect((depthwise.outputHeight, depthwise.top) == (56, 1))
        #expect((flat.outputHeight, flat.top) == (14, 2))
    }

    @Test func samePaddingStride2SumsTheWindowsTensorFlowSums() {
        // x = 0…15 on a 4×4 image, an all-ones 3×3 kernel, stride 2, SAME: no padding above or
        // left, one row and column below and right. Window sums by hand: rows 0–2 × cols 0–2 = 45,
        // rows 0–2 × cols 2–3 = 39, rows 2–3 × cols 0–2 = 66, rows 2–3 × cols 2–3 = 50.
        // (PyTorch's symmetric padding=1 would give 10 at the first position instead.)
        var parameters = ParameterStore()
        var generator = SeededGenerator(seed: 1)
        let layer = Conv2d(
            "stem",
            inChannels: 1,
            outChannels: 1,
            kernelSize: 3,
            stride: 2,
            parameters: &parameters,
            generator: &generator
        )
        parameters[layer.weight].value.fill(1)
        let x = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))

        layer.forward(x, parameters: parameters, training: false)

        #expect(layer.output.shape == [1, 1, 2, 2])
        #expect(layer.output.scalars == [45, 39, 66, 50])
    }

    @Test func depthwiseMatchesNumPyOnAFixedInput() {
        // numpy: x = arange(2·8·8).reshape(1,2,8,8) / 10, w[c] = arange(25).reshape(5,5)/25 − c,
        // TF SAME stride 2 on 8×8 (1 padding row above, 2 below; the same for columns), through
        // np.pad and explicit window sums in float64.
        var parameters = ParameterStore()
        var generator = SeededGenerator(seed: 1)
        let layer = Conv2d(
            "dw",
            inChannels: 2,
            outChannels: 2,
            kernelSize: 5,
            stride: 2,
            groups: 2,
            parameters: &parameters,
            generator: &generator
        )
        parameters[layer.weight].value = Tensor(
            shape: [2, 1, 5, 5],
            scalars: (0..<2).flatMap { c in (0..<25).map { Float($0) / 25 - Float(c) } }
        )
        let x = Tensor(shape: [1, 2, 8, 8], scalars: (0..<128).map { Float($0) / 10 })

        layer.forward(x, parameters: parameters, training: false)

        #expect(layer.output.shape == [1, 2, 4, 4])
        let expected = Tensor(shape: [1, 2, 4, 4], scalars: Self.numpyDepthwise)
        #expect(layer.output.maxAbsDifference(expected) < 1e-4)
    }

    static let numpyDepthwise: [Float] = [
        16.24, 21.56, 23.88, 14.096, 32, 40.6, 43, 24.64,
        48, 59.8, 62.2, 35.2, 19.16, 23.14, 23.98, 12.648,
        -46.32, -62.2, -63.88, -42.832, -83, -110.1, -112.7, -74.12,
        -99, -130.9, -133.5, -87.56, -94, -122.48, -124.64, -79.728,
    ]
}
