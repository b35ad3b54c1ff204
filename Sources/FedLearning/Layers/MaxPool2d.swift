import FedTensor

/// Max pooling over kh×kw windows of NCHW images. Padded positions never win (PyTorch pads
/// with −∞); forward keeps each output's argmax (its offset in the input plane) so backward
/// routes the gradient to exactly that input.
package final class MaxPool2d: Layer {
    package let kernelHeight: Int
    package let kernelWidth: Int
    package let strideHeight: Int
    package let strideWidth: Int
    package let padding: Padding2d
    package private(set) var output = Tensor(shape: [0])
    package private(set) var inputGradient = Tensor(shape: [0])
    /// For every output element, the offset of its maximum within the input plane.
    private var argmax: [Int32] = []

    /// A kernel×kernel window moved by `stride` (PyTorch's default: stride = kernel).
    package init(kernelSize: Int, stride: Int? = nil, padding: Padding2d = .none) {
        self.kernelHeight = kernelSize
        self.kernelWidth = kernelSize
        self.strideHeight = stride ?? kernelSize
        self.strideWidth = stride ?? kernelSize
        self.padding = padding
    }

    package func geometry(for shape: [Int]) -> WindowGeometry {
        WindowGeometry(
            input: shape,
            kernel: (self.kernelHeight, self.kernelWidth),
            stride: (self.strideHeight, self.strideWidth),
            padding: self.padding
        )
    }

    package func forward(_ input: Tensor, parameters: ParameterStore, training: Bool) {
        let g = self.geometry(for: input.shape)
        self.output.resize(g.batch, g.channels, g.outputHeight, g.outputWidth)
        if self.argmax.count != self.output.count { self.argmax = [Int32](repeating: 0, count: self.output.count) }
        input.scalars.withUnsafeBufferPointer { x in
            self.output.scalars.withUnsafeMutableBufferPointer { y in
                self.argmax.withUnsafeMutableBufferPointer { argmax in
                    Parallel.forEachChunk(g.batch * g.channels, minimum: 4) { chunk in
                        for p in chunk {
                            let plane = x.baseAddress! + p * g.inputPlane
                            for oh in 0..<g.outputHeight {
                                for ow in 0..<g.outputWidth {
                                    var best = -Float.infinity
                                    var at = -1
                                    let (top, left) = (oh * g.strideHeight - g.top, ow * g.strideWidth - g.left)
                                    for ih in Swift.max(top, 0)..<Swift.min(top + g.kernelHeight, g.height) {
                                        for iw in Swift.max(left, 0)..<Swift.min(left + g.kernelWidth, g.width) {
                                            let value = plane[ih * g.width + iw]
                                            // `!(value <= best)` also takes a NaN, which then propagates as in PyTorch.
                                            if at < 0 || !(value <= best) {
                                                best = value
                                                at = ih * g.width + iw
                                            }
                                        }
                                    }
                                    let o = p * g.outputPlane + oh * g.outputWidth + ow
                                    y[o] = best
                                    argmax[o] = Int32(at)
                                }
                            }
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
        guard needsInputGradient else { return }
        let g = self.geometry(for: input.shape)
        self.inputGradient.resize(g.batch, g.channels, g.height, g.width)
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            self.argmax.withUnsafeBufferPointer { argmax in
                self.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                    Parallel.forEachChunk(g.batch * g.channels, minimum: 4) { chunk in
                        for p in chunk {
                            let plane = dx.baseAddress! + p * g.inputPlane
                            plane.update(repeating: 0, count: g.inputPlane)
                            // Overlapping windows can share a maximum: accumulate.
                            for o in (p * g.outputPlane)..<((p + 1) * g.outputPlane) where argmax[o] >= 0 {
                                plane[Int(argmax[o])] += dy[o]
                            }
                        }
                    }
                }
            }
        }
    }
}
