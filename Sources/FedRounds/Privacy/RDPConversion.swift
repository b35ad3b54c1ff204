import Foundation

/// From RDP (ε(α) at each order α) to an (ε, δ) guarantee and back, with the conversion
/// dp_accounting 0.6.0 uses (`compute_epsilon`, `compute_delta`): Proposition 12 of Canonne,
/// Kamath, Steinke, "The Discrete Gaussian for Differential Privacy" (arXiv 2004.00010 v4),
/// also Equation 20 of Asoodeh et al. (arXiv 2001.05990), which is tighter than Mironov's
/// ε(α) + log(1/δ)/(α − 1) by about log(α)/(α − 1). Each bound is taken at its best order.
enum RDPConversion {
    /// The smallest ε over the orders at which the mechanism is (ε, δ)-DP, and that order
    /// (the first one on ties, as numpy's argmin). δ must be in (0, 1]; orders ≥ 1.
    ///
    /// Per order: a negative ε(α) (numerical trouble) gives 0, as dp_accounting does; if
    /// δ² > 1 − e^-ε(α) the KL bound δ ≤ √(1 − e^-KL) already holds at ε = 0; above α = 1.01
    /// ε = ε(α) + log(1 − 1/α) − log(δ α) / (α − 1); at α ≤ 1.01 that bound is unstable
    /// and the order gives ∞. A NaN ε(α) also counts as ∞.
    static func epsilon(orders: [Double], rdp: [Double], delta: Double) -> (epsilon: Double, order: Double) {
        var best = (epsilon: Double.infinity, order: orders[0])
        var bestIndex: Int?
        for (index, (alpha, r)) in zip(orders, rdp).enumerated() {
            let epsilon: Double
            if r < 0 {
                epsilon = 0
            } else if delta * delta + expm1(-r) > 0 {
                epsilon = 0
            } else if alpha > 1.01 {
                epsilon = r + log1p(-1 / alpha) - log(delta * alpha) / (alpha - 1)
            } else {
                epsilon = .infinity
            }
            let comparable = epsilon.isNaN ? .infinity : epsilon
            if bestIndex == nil || comparable < best.epsilon {
                best = (comparable, alpha)
                bestIndex = index
            }
        }
        return (max(0, best.epsilon), best.order)
    }

    /// The smallest δ over the orders at which the mechanism is (ε, δ)-DP, and that order: per
    /// order the KL bound log δ = ½ log(1 − e^-ε(α)), and above α = 1.01 also
    /// log δ = (α − 1)(ε(α) − ε + log(1 − 1/α)) − log α, whichever is smaller; at most 1.
    static func delta(orders: [Double], rdp: [Double], epsilon: Double) -> (delta: Double, order: Double) {
        var best = (logDelta: Double.infinity, order: orders[0])
        var bestIndex: Int?
        for (index, (alpha, r)) in zip(orders, rdp).enumerated() {
            var logDelta: Double
            if r <= 0 {
                logDelta = -.infinity
            } else {
                logDelta = 0.5 * log1p(-exp(-r))
            }
            if alpha > 1.01 {
                let bound = (alpha - 1) * (r - epsilon + log1p(-1 / alpha)) - log(alpha)
                logDelta = min(logDelta, bound)
            }
            let comparable = logDelta.isNaN ? .infinity : logDelta
            if bestIndex == nil || comparable < best.logDelta {
                best = (comparable, alpha)
                bestIndex = index
            }
        }
        return (min(exp(best.logDelta), 1), best.order)
    }
}
