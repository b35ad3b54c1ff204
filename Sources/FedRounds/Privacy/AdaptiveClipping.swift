import Foundation

/// Adaptive clipping (Andrew, Thakkar, McMahan, Ramaswamy 2021, "Differentially Private
/// Learning with Adaptive Clipping"): each round the clip norm moves towards the
/// `targetQuantile` of the sites' update norms,
///
///     b̄ = (Σᵢ (bᵢ − ½) + N(0, σ_b²)) / m + ½,   bᵢ = 1[‖Δᵢ‖ ≤ C]
///     C ← C · exp(−η · (b̄ − γ))
///
/// with m the expected number of sites. The count is private too: one site moves
/// Σ (bᵢ − ½) by ½, so releasing it with noise σ_b and the updates' sum with noise z_Δ·C is,
/// for the accountant, one Gaussian mechanism with noise multiplier z when
/// z_Δ = (z⁻² − (2σ_b)⁻²)^(−½) (their Theorem 1). Pure arithmetic, no I/O.
package struct AdaptiveClipping: Sendable, Equatable, Codable {
    /// γ: the share of updates meant to be left unclipped.
    package var targetQuantile: Double
    /// η: the geometric step of the clip norm.
    package var learningRate: Double
    /// σ_b: the standard deviation of the noise on the count of unclipped updates.
    package var countStddev: Double

    package init(targetQuantile: Double = 0.5, learningRate: Double = 0.2, countStddev: Double) {
        self.targetQuantile = targetQuantile
        self.learningRate = learningRate
        self.countStddev = countStddev
    }

    /// z_Δ: the noise multiplier left for the updates when the whole round must cost as
    /// much as one Gaussian mechanism with multiplier `total`; nil when the count's noise
    /// is too small for that (σ_b ≤ z/2).
    package func updateNoiseMultiplier(total z: Double) -> Double? {
        guard z > 0 else { return 0 }
        let rest = 1 / (z * z) - 1 / (4 * self.countStddev * self.countStddev)
        guard rest > 0 else { return nil }
        return 1 / rest.squareRoot()
    }

    /// The estimate of the share of unclipped updates, from the exact count, the number of
    /// updates counted, the expected number of sites and a standard normal draw.
    package func unclippedFraction(unclipped: Int, counted: Int, expectedSites: Double, normal: Double) -> Double {
        let centred = Double(unclipped) - 0.5 * Double(counted) + self.countStddev * normal
        return centred / expectedSites + 0.5
    }

    /// The next round's clip norm.
    package func nextClipNorm(_ clipNorm: Double, unclippedFraction: Double) -> Double {
        clipNorm * exp(-self.learningRate * (unclippedFraction - self.targetQuantile))
    }
}
