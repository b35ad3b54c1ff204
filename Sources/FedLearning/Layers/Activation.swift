import FedTensor
import Foundation

/// The elementwise nonlinearities a model can use between layers.
package enum ActivationKind: String, Sendable, Codable, CaseIterable {
    case relu
    case gelu
    case tanh
    /// min(max(x, 0), 6), MobileNet's and EfficientNet-Lite's clipped ReLU.
    case relu6
}

/// An elementwise activation as a forward/backward pair; forward keeps nothing beyond
/// its input and output, which the backward formulas need.
package final class Activation: Layer {
    package let kind: ActivationKind
    package private(set) var output = Tensor(shape: [0])
    package private(set) var inputGradient = Tensor(shape: [0])

    package init(_ kind: ActivationKind) {
        self.kind = kind
    }

    package func forward(_ input: Tensor, parameters: ParameterStore, training: Bool) {
        self.output.resize(to: input.shape)
        let kind = self.kind
        input.scalars.withUnsafeBufferPointer { x in
            self.output.scalars.withUnsafeMutableBufferPointer { y in
                switch kind {
                case .relu:
                    for i in 0..<x.count { y[i] = Swift.max(x[i], 0) }
                case .gelu:
                    // erf form, y = x · Φ(x) = ½ x (1 + erf(x/√2)), not the tanh approximation
                    // (which BERT checkpoints were not trained with).
                    FastMath.gelu(x, into: y)
                case .tanh:
                    for i in 0..<x.count { y[i] = Foundation.tanh(x[i]) }
                case .relu6:
                    // Image activations run to tens of millions of values: split them across cores.
                    Parallel.forEachChunk(x.count, minimum: 1 << 15) { range in
                        for i in range { y[i] = Swift.min(Swift.max(x[i], 0), 6) }
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
        self.inputGradient.resize(to: input.shape)
        let kind = self.kind
        input.scalars.withUnsafeBufferPointer { x in
            self.output.scalars.withUnsafeBufferPointer { y in
                outputGradient.scalars.withUnsafeBufferPointer { dy in
                    self.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                        switch kind {
                        case .relu:
                            // Load unconditionally, then select: a branch here mispredicts on
                            // real data and keeps the loop from being vectorised.
                            for i in 0..<x.count {
                                let g = dy[i]
                                dx[i] = x[i] > 0 ? g : 0
                            }
                        case .gelu:
                            // dy/dx = Φ(x) + x · φ(x), φ the standard normal density
                            FastMath.geluBackward(x, dy, into: dx)
                        case .tanh:
                            for i in 0..<x.count { dx[i] = dy[i] * (1 - y[i] * y[i]) }
                        case .relu6:
                            // Zero gradient where the output is clipped (x ≤ 0 or x ≥ 6), as PyTorch's hardtanh.
                            Parallel.forEachChunk(x.count, minimum: 1 << 15) { range in
                                for i in range {
                                    let g = dy[i]
                                    dx[i] = x[i] > 0 && x[i] < 6 ? g : 0
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
