import Foundation

/// RDP of the Poisson-sampled Gaussian mechanism: each record joins a batch with probability
/// q, the batch's clipped sum gets N(0, z²) noise. Ported from dp_accounting 0.6.0's
/// `_compute_rdp_poisson_subsampled_gaussian`: integer orders through the binomial expansion
/// of A_α (Mironov, Talwar, Zhang 2019, section 3.2), fractional orders through its two-sided
/// series with erfc weights (section 3.3), all in log space.
enum SampledGaussianRDP {
    /// dp_accounting's `_MAX_STEPS_LOG_A_FRAC`: past this many terms a fractional order's
    /// series is given up and the order left out (its RDP is +∞).
    static let maximumFractionalTerms = 1000

    /// ε(α) for one release. q = 0 releases nothing (0); z = 0 or α = ∞ gives ∞; q = 1 is the
    /// plain Gaussian, α / (2z²).
    static func rdp(sampleRate q: Double, noiseMultiplier z: Double, order alpha: Double) -> Double {
        if q == 0 { return 0 }
        if alpha.isInfinite || z == 0 { return .infinity }
        if q == 1 { return alpha / (2 * z * z) }
        return self.logA(sampleRate: q, sigma: z, order: alpha) / (alpha - 1)
    }

    /// log A_α, for 0 < q < 1.
    static func logA(sampleRate q: Double, sigma: Double, order alpha: Double) -> Double {
        if alpha.rounded() == alpha {
            return self.logAInteger(sampleRate: q, sigma: sigma, order: Int(alpha))
        }
        return self.logAFractional(sampleRate: q, sigma: sigma, order: alpha)
    }

    /// log A_α = log Σ_{i=0…α} C(α, i) qⁱ (1−q)^(α−i) exp((i² − i) / 2σ²), integer α.
    static func logAInteger(sampleRate q: Double, sigma: Double, order alpha: Int) -> Double {
        var logA = -Double.infinity
        let (logQ, log1mq) = (log(q), log1p(-q))
        let a = Double(alpha)
        for k in 0...alpha {
            let i = Double(k)
            let coefficient = LogSpace.binomial(a, i) + i * logQ + (a - i) * log1mq
            logA = LogSpace.add(logA, coefficient + (i * i - i) / (2 * sigma * sigma))
        }
        return logA
    }

    /// log A_α for fractional α: the integrals over (−∞, z₀] and [z₀, ∞) as two series, summed
    /// until both terms fall and are below e^-30 of the total (+∞ if that takes over
    /// `maximumFractionalTerms`, as in dp_accounting, which then leaves the order out).
    static func logAFractional(sampleRate q: Double, sigma: Double, order alpha: Double) -> Double {
        var (logA0, logA1) = (-Double.infinity, -Double.infinity)
        let z0 = sigma * sigma * log(1 / q - 1) + 0.5
        let (logQ, log1mq) = (log(q), log1p(-q))
        let (logHalf, scale) = (log(0.5), 2.0.squareRoot() * sigma)
        var (lastS0, lastS1) = (-Double.infinity, -Double.infinity)
        for k in 0..<self.maximumFractionalTerms {
            let i = Double(k)
            let coefficient = LogSpace.binomial(alpha, i)
            let j = alpha - i

            let logT0 = coefficient + i * logQ + j * log1mq
            let logT1 = coefficient + j * logQ + i * log1mq

            let logE0 = logHalf + LogSpace.logErfc((i - z0) / scale)
            let logE1 = logHalf + LogSpace.logErfc((z0 - j) / scale)

            let logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0
            let logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1

            logA0 = LogSpace.add(logA0, logS0)
            logA1 = LogSpace.add(logA1, logS1)
            let total = LogSpace.add(logA0, logA1)

            if logS0 < lastS0, logS1 < lastS1, max(logS0, logS1) < total - 30 {
                return total
            }
            (lastS0, lastS1) = (logS0, logS1)
        }
        return .infinity
    }
}
