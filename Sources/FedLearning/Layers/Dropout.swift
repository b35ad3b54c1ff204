import FedTensor

/// Inverted dropout: in training each element is zeroed with probability `rate` and the
/// survivors scaled by 1/(1−rate), so evaluation is the identity. The mask comes from the
/// layer's own seeded generator and is kept for backward.
package final class Dropout: Layer {
    package let rate: Float
    package var generator: SeededGenerator
    package private(set) var output = Tensor(shape: [0])
    package private(set) var inputGradient = Tensor(shape: [0])
    /// 0 or 1/(1−rate) per element of the last training forward; empty after evaluation.
    private var mask = Tensor(shape: [0])
    private var masked = false

    package init(rate: Float, seed: UInt64) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        self.rate = rate
        self.generator = SeededGenerator(seed: seed)
    }

    package func forward(_ input: Tensor, parameters: ParameterStore, training: Bool) {
        self.output.resize(to: input.shape)
        self.masked = training && self.rate > 0
        guard self.masked else {
            self.output.scalars.withUnsafeMutableBufferPointer { y in
                input.scalars.withUnsafeBufferPointer { x in _ = y.update(fromContentsOf: x) }
            }
            return
        }
        self.mask.resize(to: input.shape)
        let keep = 1 / (1 - self.rate)
        let rate = self.rate
        self.mask.scalars.withUnsafeMutableBufferPointer { m in
            for i in 0..<m.count { m[i] = self.generator.nextUniform() < rate ? 0 : keep }
        }
        self.mask.scalars.withUnsafeBufferPointer { m in
            input.scalars.withUnsafeBufferPointer { x in
                self.output.scalars.withUnsafeMutableBufferPointer { y in
                    for i in 0..<y.count { y[i] = x[i] * m[i] }
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
        self.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
            outputGradient.scalars.withUnsafeBufferPointer { dy in _ = dx.update(fromContentsOf: dy) }
        }
        if self.masked { self.inputGradient.multiply(self.mask) }
    }
}
