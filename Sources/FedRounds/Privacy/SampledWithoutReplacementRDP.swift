import Foundation

/// RDP of the Gaussian mechanism on a sample of m records drawn without replacement from n
/// (q = m / n), under the replace-one relation: Theorem 27 of Wang, Balle, Kasiviswanathan,
/// "Subsampled Rényi Differential Privacy and Analytical Moments Accountant" (AISTATS 2019).
/// Ported from dp_accounting 0.6.0's `_compute_rdp_sample_wor_gaussian`: the exact bound up to
/// order 256, the cheaper bound with the Gaussian's CGF above it, and fractional orders by
/// interpolating the CGF between the neighbouring integers (their Corollary 10).
enum SampledWithoutReplacementRDP {
    /// dp_accounting's `max_alpha`: above this order the O(α²) forward differences are
    /// replaced by the O(α) bound.
    static let largestExactOrder = 256

    /// ε(α) at every order.
    static func rdp(sampleRate q: Double, noiseMultiplier z: Double, orders: [Double]) -> [Double] {
        orders.map { self.rdp(sampleRate: q, noiseMultiplier: z, order: $0) }
    }

    /// ε(α) for one release. q = 0 gives 0, q = 1 the plain Gaussian α / (2z²). z = 0 gives ∞
    /// (dp_accounting divides by zero there).
    static func rdp(sampleRate q: Double, noiseMultiplier sigma: Double, order alpha: Double) -> Double {
        if q == 0 { return 0 }
        if sigma == 0 { return .infinity }
        if q == 1 { return alpha / (2 * sigma * sigma) }
        if alpha.isInfinite { return .infinity }
        if alpha.rounded() == alpha {
            return self.logAInteger(sampleRate: q, sigma: sigma, order: Int(alpha)) / (alpha - 1)
        }
        let (floor, ceiling) = (alpha.rounded(.down), alpha.rounded(.up))
        let x = self.logAInteger(sampleRate: q, sigma: sigma, order: Int(floor))
        let y = self.logAInteger(sampleRate: q, sigma: sigma, order: Int(ceiling))
        let t = alpha - floor
        return ((1 - t) * x + t * y) / (alpha - 1)
    }

    /// The bound on log A_α (the CGF at α − 1) for integer α ≥ 1.
    static func logAInteger(sampleRate q: Double, sigma: Double, order alpha: Int) -> Double {
        if alpha == 1 { return 0 }
        // The Gaussian's CGF at x, (x + 1)·ε_G(x + 1), and its RDP, α / 2σ².
        func cgf(_ x: Double) -> Double { x * (x + 1) / (2 * sigma * sigma) }
        func gaussian(_ x: Double) -> Double { x / (2 * sigma * sigma) }

        let a = Double(alpha)
        let logQ = log(q)
        let logF2m1 = gaussian(2) + log1p(-exp(-gaussian(2)))
        let secondTerm = 2 * logQ + LogSpace.binomial(a, 2) + min(log(4) + logF2m1, gaussian(2) + log(2))
        // log A starts at log 1: the i = 0 and i = 1 terms.
        var logA = LogSpace.add(0, secondTerm)
        guard alpha >= 3 else { return logA }
        if alpha <= self.largestExactOrder {
            let deltas = self.forwardDifferences(of: cgf, count: alpha)
            for k in 3...alpha {
                let i = Double(k)
                let low = deltas[2 * (k / 2) - 1]
                let high = deltas[2 * ((k + 1) / 2) - 1]
                var s = min(log(4) + 0.5 * (low + high), log(2) + cgf(i - 1))
                s += i * logQ + LogSpace.binomial(a, i)
                logA = LogSpace.add(logA, s)
            }
        } else {
            for k in 3...alpha {
                let i = Double(k)
                logA = LogSpace.add(logA, log(2) + cgf(i - 1) + i * logQ + LogSpace.binomial(a, i))
            }
        }
        return logA
    }

    /// log|Δⁱ| of the forward differences of exp(f) at 0, for i = 0…count + 1, kept as signed
    /// logarithms (dp_accounting's `_get_forward_diffs`, including its leading entry
    /// exp(0) = 1 ahead of f(0), f(1), …).
    static func forwardDifferences(of f: (Double) -> Double, count n: Int) -> [Double] {
        var values = [Double](repeating: 0, count: n + 3)
        var positive = [Bool](repeating: true, count: n + 3)
        for i in 1..<(n + 3) {
            values[i] = f(Double(i - 1))
        }
        var deltas = [Double](repeating: 0, count: n + 2)
        for i in 0..<(n + 2) {
            // One more difference in place: entry j becomes entry j + 1 minus entry j.
            for j in 0..<(n + 2 - i) {
                if positive[j] == positive[j + 1] {
                    let (sign, magnitude) = LogSpace.subtract(values[j + 1], values[j])
                    values[j] = magnitude
                    positive[j] = positive[j + 1] ? sign : !sign
                } else {
                    values[j] = LogSpace.add(values[j], values[j + 1])
                    positive[j] = positive[j + 1]
                }
            }
            deltas[i] = values[0]
        }
        return deltas
    }
}
