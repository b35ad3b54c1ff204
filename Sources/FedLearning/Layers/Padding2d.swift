import FedTensor

/// How a 2-D convolution or pooling pads its input's height and width.
package enum Padding2d: Sendable, Equatable {
    /// TensorFlow's "SAME", worked out from the actual input size at forward time: output =
    /// ⌈input / stride⌉, total = max((output − 1)·stride + kernel − input, 0), of which total/2
    /// goes before and the rest after (asymmetric for stride 2 on even sizes, as TF and
    /// EfficientNet's `Conv2dStaticSamePadding` do).
    case same
    /// Fixed zero rows and columns on each side.
    case explicit(top: Int, left: Int, bottom: Int, right: Int)

    /// The same amount on all four sides (PyTorch's `padding=p`).
    package static func symmetric(_ amount: Int) -> Padding2d {
        .explicit(top: amount, left: amount, bottom: amount, right: amount)
    }

    /// `height` rows above and below, `width` columns left and right (PyTorch's `padding=(h, w)`).
    package static func symmetric(height: Int, width: Int) -> Padding2d {
        .explicit(top: height, left: width, bottom: height, right: width)
    }

    /// No padding (PyTorch's `padding=0`, TF's "VALID").
    package static let none = Padding2d.explicit(top: 0, left: 0, bottom: 0, right: 0)

    /// Output extent and padding before it along one axis.
    func axis(input: Int, kernel: Int, stride: Int, vertical: Bool) -> (output: Int, before: Int) {
        switch self {
        case .same:
            let output = (input + stride - 1) / stride
            let total = Swift.max((output - 1) * stride + kernel - input, 0)
            return (output, total / 2)
        case .explicit(let top, let left, let bottom, let right):
            let (before, after) = vertical ? (top, bottom) : (left, right)
            return ((input + before + after - kernel) / stride + 1, before)
        }
    }
}

/// The sizes of one sliding-window pass over an NCHW batch, computed from the input's shape
/// at forward time (so one layer serves any image size) without allocating.
package struct WindowGeometry: Sendable, Equatable {
    package var batch: Int
    package var channels: Int
    package var height: Int
    package var width: Int
    package var kernelHeight: Int
    package var kernelWidth: Int
    package var strideHeight: Int
    package var strideWidth: Int
    package var outputHeight: Int
    package var outputWidth: Int
    /// Padding rows above and columns left of the input.
    package var top: Int
    package var left: Int

    package init(input shape: [Int], kernel: (Int, Int), stride: (Int, Int), padding: Padding2d) {
        precondition(shape.count == 4, "expected an NCHW input [N, C, H, W], got shape \(shape)")
        self.batch = shape[0]
        self.channels = shape[1]
        self.height = shape[2]
        self.width = shape[3]
        (self.kernelHeight, self.kernelWidth) = kernel
        (self.strideHeight, self.strideWidth) = stride
        let rows = padding.axis(input: shape[2], kernel: kernel.0, stride: stride.0, vertical: true)
        let columns = padding.axis(input: shape[3], kernel: kernel.1, stride: stride.1, vertical: false)
        (self.outputHeight, self.top) = rows
        (self.outputWidth, self.left) = columns
        precondition(
            self.outputHeight > 0 && self.outputWidth > 0,
            "a \(kernel.0)×\(kernel.1) window does not fit a \(self.height)×\(self.width) input"
        )
    }

    package var inputPlane: Int { self.height * self.width }
    package var outputPlane: Int { self.outputHeight * self.outputWidth }

    /// Output rows whose input row, for kernel row `ki`, falls inside the image.
    @inline(__always)
    func validRows(_ ki: Int) -> Range<Int> {
        Self.valid(outputs: self.outputHeight, input: self.height, offset: ki - self.top, stride: self.strideHeight)
    }

    /// Output columns whose input column, for kernel column `kj`, falls inside the image.
    @inline(__always)
    func validColumns(_ kj: Int) -> Range<Int> {
        Self.valid(outputs: self.outputWidth, input: self.width, offset: kj - self.left, stride: self.strideWidth)
    }

    /// The positions o with 0 ≤ o·stride + offset < input, clipped to 0..<outputs.
    @inline(__always)
    static func valid(outputs: Int, input: Int, offset: Int, stride: Int) -> Range<Int> {
        let low = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let last = input - 1 - offset
        let high = last < 0 ? 0 : Swift.min(outputs, last / stride + 1)
        return low..<Swift.max(low, high)
    }
}

extension Tensor {
    /// `resize(to: [n, c, h, w])` without building the shape array when it is already right,
    /// so per-step calls allocate nothing.
    mutating func resize(_ n: Int, _ c: Int, _ h: Int, _ w: Int) {
        let s = self.shape
        if s.count == 4 && s[0] == n && s[1] == c && s[2] == h && s[3] == w { return }
        self.resize(to: [n, c, h, w])
    }
}

extension ParameterStore {
    /// Runs `body` on the gradient buffer of parameter `index` when it exists and is trainable,
    /// and on nil otherwise, so a layer skips the work for frozen parameters.
    mutating func withGradient<R>(_ index: Int?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
        guard let index, self[index].trainable else { return body(nil) }
        return self[index].grad.scalars.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}
