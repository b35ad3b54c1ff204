import FedTensor
import Foundation
import OrderedCollections

/// Moves the global model x by the round's averaged update Δ (the pseudo-gradient, sign as
/// an update: Δ = mean of local − global) with one of Flower 1.42's server optimizers, tensor
/// by tensor, elementwise in Float32 with the operations in the order Flower's NumPy code
/// runs them (hyperparameters rounded to Float32 as NumPy casts them), so that given the same
/// Δ a step gives Flower's bits (`Tests/Fixtures/strategies/flower.json` checks it).
///
///     fedavg:     x ← x + η·Δ
///     fedavgm:    m ← Δ on the first step, β·m + Δ after;  x ← x + η·m      (β = 0: x ← x + η·Δ)
///     fedadam:    m ← β₁·m + (1−β₁)·Δ;  v ← β₂·v + (1−β₂)·Δ²
///                 x ← x + (η_t·m) / (√v + τ),  η_t = η·√(1 − β₂^(t+1)) / (1 − β₁^(t+1))
///     fedyogi:    m as fedadam;  v ← v − ((1−β₂)·Δ²)·sign(v − Δ²);  x ← x + (η·m) / (√v + τ)
///     fedadagrad: m as fedadam (Flower: β₁ = 0, so m = Δ);  v ← v + Δ²;  x ← x + (η·m) / (√v + τ)
///
/// m and v start at zero; t counts the steps taken, 1 on the first.
///
/// Where Flower differs from Reddi et al. (Algorithm 2), fedtune follows Flower: FedAdam's
/// step size carries Adam's bias correction (the paper has none) and with exponent t + 1
/// rather than Kingma & Ba's t (Flower raises β to `server_round + 1`); m and v start at 0
/// (the paper's v₋₁ ≥ τ²); FedAdagrad's β₁ is 0 (the paper keeps momentum for all three).
/// FedAvgM writes Flower's momentum with the opposite sign (Flower keeps β·m − Δ and
/// subtracts it), which gives the same bits.
///
/// Where fedtune differs from Flower: t counts the steps taken, where Flower uses its round
/// number (the same whenever every round since the first produced an average; a round
/// without one takes no step here); fedavg adds η·Δ with BLAS saxpy as before (Flower's
/// FedAvg returns the average of the sites' weights, the same model up to rounding); and
/// Flower with NumPy 2 turns FedAdam's weights into float64 after its first step (its η_t is
/// a float64 scalar), where fedtune stays in Float32 (a relative difference near 1e-7).
package struct ServerOptimizer: Sendable {
    /// The settings with every hyperparameter of the kind filled in.
    package let settings: ServerOptimizerSettings
    package let spec: TensorSpec
    /// fedavgm's momentum, or the adaptive optimizers' first moment m, one per tensor of
    /// `spec`; empty when the optimizer keeps none. (Internal for `ServerOptimizer+State`.)
    var first: [Tensor]
    /// The adaptive optimizers' second moment v, one per tensor of `spec`, or empty.
    var second: [Tensor]
    /// Steps taken: averages applied since the run started.
    package internal(set) var steps: Int = 0

    /// The largest step count the saved state can hold exactly (a Float32 scalar).
    package static let maxSteps = 1 << 24

    /// A fresh optimizer (no step taken, m and v zero). `settings` must be valid
    /// (`ServerOptimizerSettings.validate()`).
    package init(settings: ServerOptimizerSettings, spec: TensorSpec) {
        precondition((try? settings.validate()) != nil, "invalid server optimizer settings \(settings)")
        let resolved = settings.resolved
        self.settings = resolved
        self.spec = spec
        let zeros = spec.entries.map { Tensor(shape: $0.shape) }
        let keepsMomentum = resolved.kind == .fedavgm && resolved.momentum! > 0
        self.first = resolved.kind.isAdaptive || keepsMomentum ? zeros : []
        self.second = resolved.kind.isAdaptive ? zeros : []
    }

    /// Bytes of state held: 4 per trainable weight for fedavgm's momentum, 8 for m and v.
    package var bytesHeld: Int {
        (self.first + self.second).reduce(0) { $0 + $1.count * MemoryLayout<Float>.size }
    }

    /// global ← the optimizer's step with pseudo-gradient `average` (Δ), tensor by tensor.
    /// `average` holds every tensor of `spec` (the core's average does); tensors of `global`
    /// outside the spec are left as they are.
    package mutating func apply(
        _ average: OrderedDictionary<String, Tensor>,
        to global: inout OrderedDictionary<String, Tensor>
    ) {
        let s = self.settings
        if s.kind == .fedavg {
            FedAvgAccumulator.apply(average, to: &global, serverLearningRate: Float(s.learningRate))
            self.steps += 1
            return
        }
        self.steps += 1
        let t = Double(self.steps)
        for (index, entry) in self.spec.entries.enumerated() {
            guard let delta = average[entry.name], let slot = global.index(forKey: entry.name) else {
                preconditionFailure("the average or the global model lacks \(entry.name)")
            }
            precondition(delta.count == global.values[slot].count, "\(entry.name): Δ and x differ in size")
            switch s.kind {
            case .fedavg:
                break
            case .fedavgm:
                self.momentumStep(index, delta, &global.values[slot])
            case .fedadam:
                // Flower: eta * sqrt(1 - beta_2^(round + 1)) / (1 - beta_1^(round + 1)), in float64.
                let (b1, b2) = (s.beta1!, s.beta2!)
                let rate = s.learningRate * (1 - pow(b2, t + 1)).squareRoot() / (1 - pow(b1, t + 1))
                self.adaptiveStep(index, delta, &global.values[slot], rate: Float(rate)) { v, d2, b2, c2 in
                    b2 * v + c2 * d2
                }
            case .fedyogi:
                self.adaptiveStep(index, delta, &global.values[slot], rate: Float(s.learningRate)) { v, d2, _, c2 in
                    let gap = v - d2
                    // np.sign: 1, −1, or the zero (or NaN) itself.
                    let sign: Float = gap > 0 ? 1 : (gap < 0 ? -1 : gap)
                    return v - c2 * d2 * sign
                }
            case .fedadagrad:
                self.adaptiveStep(index, delta, &global.values[slot], rate: Float(s.learningRate)) { v, d2, _, _ in
                    v + d2
                }
            }
        }
    }

    /// fedavgm on one tensor: Flower's `momentum_vector` is −m, and x − η·(−m) = x + η·m.
    private mutating func momentumStep(_ index: Int, _ delta: Tensor, _ x: inout Tensor) {
        let eta = Float(self.settings.learningRate)
        guard !self.first.isEmpty else {
            // β = 0: Flower keeps no momentum and subtracts η·pseudo-gradient.
            x.addScaled(eta, delta)
            return
        }
        let beta = Float(self.settings.momentum!)
        let isFirst = self.steps == 1
        delta.scalars.withUnsafeBufferPointer { d in
            self.first[index].scalars.withUnsafeMutableBufferPointer { m in
                x.scalars.withUnsafeMutableBufferPointer { x in
                    if isFirst {
                        for i in 0..<x.count { m[i] = d[i] }
                    } else {
                        for i in 0..<x.count { m[i] = beta * m[i] + d[i] }
                    }
                    for i in 0..<x.count { x[i] = x[i] + eta * m[i] }
                }
            }
        }
    }

    /// One adaptive step on one tensor: m ← β₁·m + (1−β₁)·Δ, v ← `second(v, Δ², β₂, 1−β₂)`,
    /// x ← x + (rate·m) / (√v + τ). Inlined so that `second` is too and the loop vectorises.
    @inline(__always)
    private mutating func adaptiveStep(
        _ index: Int,
        _ delta: Tensor,
        _ x: inout Tensor,
        rate: Float,
        second: (Float, Float, Float, Float) -> Float
    ) {
        let s = self.settings
        let (b1, c1) = (Float(s.beta1!), Float(1 - s.beta1!))
        let (b2, c2) = (Float(s.beta2 ?? 0), Float(1 - (s.beta2 ?? 0)))
        let tau = Float(s.tau!)
        delta.scalars.withUnsafeBufferPointer { d in
            self.first[index].scalars.withUnsafeMutableBufferPointer { m in
                self.second[index].scalars.withUnsafeMutableBufferPointer { v in
                    x.scalars.withUnsafeMutableBufferPointer { x in
                        for i in 0..<x.count {
                            let di = d[i]
                            m[i] = b1 * m[i] + c1 * di
                            v[i] = second(v[i], di * di, b2, c2)
                            x[i] = x[i] + (rate * m[i]) / (v[i].squareRoot() + tau)
                        }
                    }
                }
            }
        }
    }
}
