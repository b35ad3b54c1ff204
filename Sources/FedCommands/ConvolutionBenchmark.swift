import FedLearning
import FedTensor
import Foundation

/// `fedtune bench conv`: the forward and backward time of every distinct convolution shape of
/// EfficientNet-Lite0 at 224×224, each next to one plain sgemm doing the same multiply-adds
/// (m = out, n = batch·outH·outW, k = in/groups·kh·kw), the rate the issue asks convolutions to
/// reach 70% of. A depthwise convolution has no sgemm of its own; its reference is that same
/// equal-work product, so its percentage says how far the direct loops are from dense BLAS.
package enum ConvolutionBenchmark {
    /// One convolution of the network and the input size it runs at.
    package struct Shape: Sendable, Codable, Equatable {
        package var name: String
        package var inChannels: Int
        package var outChannels: Int
        package var kernel: Int
        package var stride: Int
        package var groups: Int
        package var size: Int

        package init(_ name: String, _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, groups: Int = 1, size: Int) {
            self.name = name
            self.inChannels = inChannels
            self.outChannels = outChannels
            self.kernel = kernel
            self.stride = stride
            self.groups = groups
            self.size = size
        }
    }

    /// Medians of one shape's timings, and the floating-point rates they give.
    package struct Row: Sendable, Codable {
        package var shape: Shape
        package var path: String
        package var forwardMilliseconds: Double
        package var forwardGFLOPS: Double
        package var gemmForwardGFLOPS: Double
        /// Weight gradient plus input gradient (twice the forward's work).
        package var backwardMilliseconds: Double
        package var backwardGFLOPS: Double
        /// The two sgemms of the same backward work: dW[m,k] = dY[m,n]·Xᵀ and dX[k,n] = Wᵀ·dY.
        package var gemmBackwardGFLOPS: Double
    }

    /// EfficientNet-Lite0's convolutions at 224×224: stem, expansions, depthwise, projections, head.
    package static let efficientNetLite0: [Shape] = [
        Shape("stem 3×3 s2", 3, 32, kernel: 3, stride: 2, size: 224),
        Shape("expand 16→96", 16, 96, kernel: 1, size: 112),
        Shape("expand 24→144", 24, 144, kernel: 1, size: 56),
        Shape("expand 40→240", 40, 240, kernel: 1, size: 28),
        Shape("expand 80→480", 80, 480, kernel: 1, size: 14),
        Shape("expand 112→672", 112, 672, kernel: 1, size: 14),
        Shape("expand 192→1152", 192, 1152, kernel: 1, size: 7),
        Shape("depthwise 3×3 96 s2", 96, 96, kernel: 3, stride: 2, groups: 96, size: 112),
        Shape("depthwise 5×5 144 s2", 144, 144, kernel: 5, stride: 2, groups: 144, size: 56),
        Shape("depthwise 5×5 672", 672, 672, kernel: 5, groups: 672, size: 14),
        Shape("project 96→24", 96, 24, kernel: 1, size: 56),
        Shape("project 1152→320", 1152, 320, kernel: 1, size: 7),
        Shape("head 320→1280", 320, 1280, kernel: 1, size: 7),
    ]

    package static func run(batch: Int = 32, repeats: Int = 5, shapes: [Shape] = efficientNetLite0) -> [Row] {
        shapes.map { self.measure($0, batch: batch, repeats: repeats) }
    }

    static func measure(_ shape: Shape, batch: Int, repeats: Int) -> Row {
        var generator = SeededGenerator(seed: 1)
        var parameters = ParameterStore()
        let conv = Conv2d(
            "conv",
            inChannels: shape.inChannels,
            outChannels: shape.outChannels,
            kernelSize: shape.kernel,
            stride: shape.stride,
            groups: shape.groups,
            parameters: &parameters,
            generator: &generator
        )
        let input = Tensor.normal(shape: [batch, shape.inChannels, shape.size, shape.size], std: 1, using: &generator)
        let geometry = conv.geometry(for: input.shape)
        let flops = conv.flops(geometry)
        let forward = MedianTime.seconds(repeats) { conv.forward(input, parameters: parameters, training: true) }
        let outputGradient = Tensor.normal(shape: conv.output.shape, std: 1, using: &generator)
        let backward = MedianTime.seconds(repeats) {
            conv.backward(input, outputGradient: outputGradient, parameters: &parameters, needsInputGradient: true)
        }
        let (gemmForward, gemmBackward) = self.gemmSeconds(
            m: shape.outChannels,
            n: batch * geometry.outputPlane,
            k: shape.inChannels / shape.groups * shape.kernel * shape.kernel,
            repeats: repeats
        )
        return Row(
            shape: shape,
            path: "\(conv.path)",
            forwardMilliseconds: forward * 1e3,
            forwardGFLOPS: flops / forward / 1e9,
            gemmForwardGFLOPS: flops / gemmForward / 1e9,
            backwardMilliseconds: backward * 1e3,
            backwardGFLOPS: 2 * flops / backward / 1e9,
            gemmBackwardGFLOPS: 2 * flops / gemmBackward / 1e9
        )
    }

    /// Median seconds of Y[m,n] = W[m,k]·X[k,n], and of dW[m,k] = dY[m,n]·X[k,n]ᵀ plus dX[k,n] = W[m,k]ᵀ·dY[m,n].
    static func gemmSeconds(m: Int, n: Int, k: Int, repeats: Int) -> (forward: Double, backward: Double) {
        var generator = SeededGenerator(seed: 2)
        let w = Tensor.normal(shape: [m, k], std: 1, using: &generator)
        let x = Tensor.normal(shape: [k, n], std: 1, using: &generator)
        let dy = Tensor.normal(shape: [m, n], std: 1, using: &generator)
        var y = Tensor(shape: [m, n])
        var dw = Tensor(shape: [m, k])
        var dx = Tensor(shape: [k, n])
        let forward = MedianTime.seconds(repeats) { Tensor.matmul(w, x, into: &y) }
        let backward = MedianTime.seconds(repeats) {
            Tensor.matmul(dy, x, transposeB: true, into: &dw, accumulate: true)
            Tensor.matmul(w, dy, transposeA: true, into: &dx)
        }
        return (forward, backward)
    }

    /// A plain-text table of the rows, one line per shape.
    package static func table(_ rows: [Row], batch: Int = 32) -> String {
        func cell(_ value: Double) -> String { String(format: "%7.1f", value) }
        var lines = [
            "batch \(batch), \(BLAS.threadCount) threads, OpenBLAS \(BLAS.coreName)",
            "shape                  path        fwd ms  GFLOP/s  sgemm   %   | bwd ms  GFLOP/s  sgemm   %",
        ]
        for row in rows {
            let name = row.shape.name.padding(toLength: 22, withPad: " ", startingAt: 0)
            let path = row.path.padding(toLength: 10, withPad: " ", startingAt: 0)
            let forwardShare = 100 * row.forwardGFLOPS / row.gemmForwardGFLOPS
            let backwardShare = 100 * row.backwardGFLOPS / row.gemmBackwardGFLOPS
            lines.append(
                "\(name) \(path) \(cell(row.forwardMilliseconds)) \(cell(row.forwardGFLOPS)) \(cell(row.gemmForwardGFLOPS))"
                    + " \(String(format: "%4.0f", forwardShare)) | \(cell(row.backwardMilliseconds))"
                    + " \(cell(row.backwardGFLOPS)) \(cell(row.gemmBackwardGFLOPS)) \(String(format: "%4.0f", backwardShare))"
            )
        }
        return lines.joined(separator: "\n")
    }
}
