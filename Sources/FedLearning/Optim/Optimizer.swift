import FedSupport
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

/// Hyperparameters shared by the optimizers; each uses those that apply to it. Every key
/// is optional (`optimizer: {kind: sgd}` is enough) and unknown keys are refused.
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

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, momentum, beta1, beta2, epsilon
        case weightDecay = "weight_decay"
    }

    static let shape = YAMLShape.values(CodingKeys.allCases.map(\.rawValue))

    package init(from decoder: any Decoder) throws {
        self.init()
        try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.kind = try c.decodeIfPresent(OptimizerKind.self, forKey: .kind) ?? self.kind
        self.momentum = try c.decodeIfPresent(Float.self, forKey: .momentum) ?? self.momentum
        self.weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? self.weightDecay
        self.beta1 = try c.decodeIfPresent(Float.self, forKey: .beta1) ?? self.beta1
        self.beta2 = try c.decodeIfPresent(Float.self, forKey: .beta2) ?? self.beta2
        self.epsilon = try c.decodeIfPresent(Float.self, forKey: .epsilon) ?? self.epsilon
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
