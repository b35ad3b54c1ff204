import FedTensor

/// Updates the trainable parameters from their gradients, one step at a time.
///
/// Moment buffers are created on the first step, sized like the parameters, and
/// reused afterwards; frozen parameters are never touched.
package protocol Optimizer {
    /// Applies one update with the given learning rate (already scheduled).
    mutating func step(_ parameters: inout ParameterStore, learningRate: Float)
}

/// Which optimizer to build, with its hyperparameters, as configuration files spell it.
package enum OptimizerKind: String, Sendable, Codable, CaseIterable {
    case sgd
    case adamw
}

/// Hyperparameters shared by the optimizers; each uses those that apply to it.
package struct OptimizerConfiguration: Sendable, Codable, Equatable {
    package var kind: OptimizerKind = .adamw
    /// SGD momentum μ (0 is plain SGD).
    package var momentum: Float = 0.9
    /// SGD: L2 added to the gradient; AdamW: decoupled decay of the weights.
    package var weightDecay: Float = 0
    package var beta1: Float = 0.9
    package var beta2: Float = 0.999
    package var epsilon: Float = 1e-8

    package init(kind: OptimizerKind = .adamw, momentum: Float = 0.9, weightDecay: Float = 0) {
        self.kind = kind
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    /// A fresh optimizer with these settings.
    package func make() -> any Optimizer {
        switch self.kind {
        case .sgd: SGD(momentum: self.momentum, weightDecay: self.weightDecay)
        case .adamw:
            AdamW(beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, weightDecay: self.weightDecay)
        }
    }
}
