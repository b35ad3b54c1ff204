import FedTensor
import Foundation

/// Adam with decoupled weight decay, as PyTorch's `torch.optim.AdamW`:
///
///     w −= lr·λ·w;  m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²
///     w −= lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
package struct AdamW: Optimizer {
    package var beta1: Float
    package var beta2: Float
    package var epsilon: Float
    package var weightDecay: Float
    /// Steps taken so far (t in the bias corrections).
    package private(set) var stepCount = 0
    private var firstMoment: [Tensor] = []
    private var secondMoment: [Tensor] = []

    package init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    package mutating func step(_ parameters: inout ParameterStore, learningRate: Float) {
        if self.firstMoment.count != parameters.count {
            self.firstMoment = parameters.entries.map { Tensor(shape: $0.optimized ? $0.value.shape : [0]) }
            self.secondMoment = self.firstMoment
        }
        self.stepCount += 1
        let (b1, b2, eps) = (self.beta1, self.beta2, self.epsilon)
        let correction1 = 1 - Float(pow(Double(b1), Double(self.stepCount)))
        let correction2 = 1 - Float(pow(Double(b2), Double(self.stepCount)))
        // Constants hoisted so the loop body is multiplies, one square root and one
        // division, which vectorise.
        let decay = 1 - learningRate * self.weightDecay
        let stepSize = learningRate / correction1
        let inverseCorrection2 = 1 / correction2
        for index in 0..<parameters.count where parameters[index].optimized {
            let grad = parameters[index].grad
            parameters[index].value.scalars.withUnsafeMutableBufferPointer { w in
                grad.scalars.withUnsafeBufferPointer { g in
                    self.firstMoment[index].scalars.withUnsafeMutableBufferPointer { m in
                        self.secondMoment[index].scalars.withUnsafeMutableBufferPointer { v in
                            for i in 0..<w.count {
                                w[i] *= decay
                                m[i] = b1 * m[i] + (1 - b1) * g[i]
                                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                w[i] -= stepSize * m[i] / ((v[i] * inverseCorrection2).squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }
}
