import FedTensor

/// Stochastic gradient descent with momentum and (coupled, L2) weight decay, as
/// PyTorch's `torch.optim.SGD` with dampening 0:
///
///     g = ∇ + λ·w;  b = μ·b + g;  w −= lr · b
package struct SGD: Optimizer {
    package var momentum: Float
    package var weightDecay: Float
    private var velocity: [Tensor] = []

    package init(momentum: Float = 0, weightDecay: Float = 0) {
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    package mutating func step(_ parameters: inout ParameterStore, learningRate: Float) {
        if self.velocity.count != parameters.count {
            self.velocity = parameters.entries.map {
                Tensor(shape: $0.optimized && self.momentum != 0 ? $0.value.shape : [0])
            }
        }
        let (mu, decay) = (self.momentum, self.weightDecay)
        for index in 0..<parameters.count where parameters[index].optimized {
            let grad = parameters[index].grad
            parameters[index].value.scalars.withUnsafeMutableBufferPointer { w in
                grad.scalars.withUnsafeBufferPointer { dw in
                    if mu == 0 {
                        for i in 0..<w.count { w[i] -= learningRate * (dw[i] + decay * w[i]) }
                        return
                    }
                    self.velocity[index].scalars.withUnsafeMutableBufferPointer { b in
                        for i in 0..<w.count {
                            b[i] = mu * b[i] + dw[i] + decay * w[i]
                            w[i] -= learningRate * b[i]
                        }
                    }
                }
            }
        }
    }
}
