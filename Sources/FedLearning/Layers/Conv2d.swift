import FedTensor

/// A 2-D convolution over NCHW images: y[n,o] = Σ_c W[o,c] ⋆ x[n,c] (+ b[o]), with the weight
/// stored [out, in/groups, kh, kw] and named `name.weight` (and `name.bias`) as PyTorch does.
///
/// The path is chosen once from the shape. A 1×1, stride-1, unpadded convolution is one sgemm
/// per image, since an image's [in, H·W] planes already are the matrix; a depthwise one
/// (groups = in = out) runs direct loops over (image, channel) planes on every core; the rest
/// go through im2col and one sgemm per image and group. Backward computes the weight gradient
/// only when the weight is trainable and the input gradient only when asked, so a frozen
/// convolution costs nothing beyond what the layers before it need.
package final class Conv2d: Layer {
    /// How forward and backward are computed.
    package enum Path: Sendable, Equatable {
        case pointwise
        case depthwise
        case im2col
    }

    package let weight: Int
    package let bias: Int?
    package let inChannels: Int
    package let outChannels: Int
    package let kernelHeight: Int
    package let kernelWidth: Int
    package let strideHeight: Int
    package let strideWidth: Int
    package let padding: Padding2d
    package let groups: Int
    package let path: Path
    package internal(set) var output = Tensor(shape: [0])
    package internal(set) var inputGradient = Tensor(shape: [0])
    /// im2col's [groups·(in/groups)·kh·kw, outH·outW] matrix for one image, and its gradient.
    var columns = Tensor(shape: [0])
    /// The depthwise path's per-worker padded planes, [workers, scratch per worker]; the packed
    /// pointwise path's [out, N·H·W] output or output gradient.
    var scratch = Tensor(shape: [0])
    /// The depthwise path's scratch offset of each kernel tap, [kh·kw].
    var tapOffsets: [Int] = []

    /// Adds `name.weight` [outChannels, inChannels/groups, kernelHeight, kernelWidth] (and
    /// `name.bias` [outChannels] when `bias`), initialised as PyTorch does (uniform ±1/√fan-in).
    package init(
        _ name: String,
        inChannels: Int,
        outChannels: Int,
        kernelHeight: Int,
        kernelWidth: Int,
        strideHeight: Int = 1,
        strideWidth: Int = 1,
        padding: Padding2d = .same,
        groups: Int = 1,
        bias: Bool = false,
        parameters: inout ParameterStore,
        generator: inout SeededGenerator
    ) {
        precondition(
            groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
            "conv \(name): \(inChannels) in and \(outChannels) out channels do not split into \(groups) groups"
        )
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.padding = padding
        self.groups = groups
        let fanIn = inChannels / groups * kernelHeight * kernelWidth
        let bound = 1 / Float(fanIn).squareRoot()
        let shape = [outChannels, inChannels / groups, kernelHeight, kernelWidth]
        self.weight = parameters.add("\(name).weight", .uniform(shape: shape, bound: bound, using: &generator))
        self.bias =
            bias ? parameters.add("\(name).bias", .uniform(shape: [outChannels], bound: bound, using: &generator)) : nil
        let unpadded = padding == .same || padding == .none
        if kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1 && groups == 1 && unpadded {
            self.path = .pointwise
        } else if groups > 1 && groups == inChannels && groups == outChannels {
            self.path = .depthwise
        } else {
            self.path = .im2col
        }
    }

    /// A square kernel with the same stride both ways.
    package convenience init(
        _ name: String,
        inChannels: Int,
        outChannels: Int,
        kernelSize: Int,
        stride: Int = 1,
        padding: Padding2d = .same,
        groups: Int = 1,
        bias: Bool = false,
        parameters: inout ParameterStore,
        generator: inout SeededGenerator
    ) {
        self.init(
            name,
            inChannels: inChannels,
            outChannels: outChannels,
            kernelHeight: kernelSize,
            kernelWidth: kernelSize,
            strideHeight: stride,
            strideWidth: stride,
            padding: padding,
            groups: groups,
            bias: bias,
            parameters: &parameters,
            generator: &generator
        )
    }

    /// The window sizes and padding for an input of this shape [N, C, H, W].
    package func geometry(for shape: [Int]) -> WindowGeometry {
        precondition(
            shape.count == 4 && shape[1] == self.inChannels,
            "conv expects [N, \(self.inChannels), H, W], got \(shape)"
        )
        return WindowGeometry(
            input: shape,
            kernel: (self.kernelHeight, self.kernelWidth),
            stride: (self.strideHeight, self.strideWidth),
            padding: self.padding
        )
    }

    /// Multiply-adds of one forward pass over this geometry, ×2 for floating-point operations.
    package func flops(_ g: WindowGeometry) -> Double {
        2 * Double(g.batch * self.outChannels * g.outputPlane * (self.inChannels / self.groups))
            * Double(self.kernelHeight * self.kernelWidth)
    }

    package func forward(_ input: Tensor, parameters: ParameterStore, training: Bool) {
        let g = self.geometry(for: input.shape)
        self.output.resize(g.batch, self.outChannels, g.outputHeight, g.outputWidth)
        let weight = parameters[self.weight].value
        input.scalars.withUnsafeBufferPointer { x in
            weight.scalars.withUnsafeBufferPointer { w in
                switch self.path {
                case .pointwise: self.forwardPointwise(x.baseAddress!, w.baseAddress!, g)
                case .depthwise: self.forwardDepthwise(x.baseAddress!, w.baseAddress!, g)
                case .im2col: self.forwardIm2col(x.baseAddress!, w.baseAddress!, g)
                }
            }
        }
        if let bias = self.bias {
            let plane = g.outputPlane
            parameters[bias].value.scalars.withUnsafeBufferPointer { b in
                self.output.scalars.withUnsafeMutableBufferPointer { y in
                    let planes = g.batch * self.outChannels
                    Parallel.forEachChunk(planes, minimum: 64) { chunk in
                        for p in chunk {
                            let value = b[p % self.outChannels]
                            for i in (p * plane)..<((p + 1) * plane) { y[i] += value }
                        }
                    }
                }
            }
        }
    }

    package func backward(
        _ input: Tensor,
        outputGradient: Tensor,
        parameters: inout ParameterStore,
        needsInputGradient: Bool
    ) {
        let g = self.geometry(for: input.shape)
        precondition(outputGradient.count == g.batch * self.outChannels * g.outputPlane, "conv output gradient size")
        let plane = g.outputPlane
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            // db[o] += Σ_{n,h,w} dy[n,o,h,w]
            parameters.withGradient(self.bias) { db in
                guard let db else { return }
                for p in 0..<(g.batch * self.outChannels) {
                    db[p % self.outChannels] += RowReductions.sum(dy.baseAddress! + p * plane, count: plane)
                }
            }
            input.scalars.withUnsafeBufferPointer { x in
                parameters.withGradient(self.weight) { dw in
                    guard let dw else { return }
                    switch self.path {
                    case .pointwise: self.weightGradientPointwise(x.baseAddress!, dy.baseAddress!, dw, g)
                    case .depthwise: self.backwardDepthwise(x.baseAddress!, dy.baseAddress!, nil, dw: dw, dx: nil, g)
                    case .im2col: self.weightGradientIm2col(x.baseAddress!, dy.baseAddress!, dw, g)
                    }
                }
            }
            guard needsInputGradient else { return }
            self.inputGradient.resize(g.batch, g.channels, g.height, g.width)
            let weight = parameters[self.weight].value
            weight.scalars.withUnsafeBufferPointer { w in
                self.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                    switch self.path {
                    case .pointwise: self.inputGradientPointwise(dy.baseAddress!, w.baseAddress!, dx.baseAddress!, g)
                    case .depthwise:
                        self.backwardDepthwise(nil, dy.baseAddress!, w.baseAddress!, dw: nil, dx: dx.baseAddress!, g)
                    case .im2col: self.inputGradientIm2col(dy.baseAddress!, w.baseAddress!, dx.baseAddress!, g)
                    }
                }
            }
        }
    }
}
