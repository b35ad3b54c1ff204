/// What differential privacy did in one round, kept in its line of rounds.jsonl: the
/// mechanism's numbers, the ε spent so far, and the exact event the accountant composed, so
/// a coordinator that restarts rebuilds the same accountant from its records.
package struct RoundPrivacy: Sendable, Codable, Equatable {
    /// "gaussian" (DP-FedAvg's Gaussian mechanism on the clipped sum).
    package var mechanism: String
    /// "poisson" or "fixed".
    package var sampling: String
    /// q: the probability that a given site takes part (fixed: count / population).
    package var sampleRate: Double
    /// z: the round's noise multiplier as the accountant sees it.
    package var noiseMultiplier: Double
    /// z_Δ: the multiplier of the noise on the updates' sum (z unless clipping is adaptive).
    package var updateNoiseMultiplier: Double
    /// C: the clip norm of this round.
    package var clipNorm: Double
    /// σ = z_Δ·C, the standard deviation of the noise added to each coordinate of the sum.
    package var noiseStddev: Double
    /// The divisor of the noisy sum: the expected number of sites.
    package var expectedSites: Double
    package var delta: Double
    /// ε at δ spent by every round so far, this one included.
    package var epsilon: Double
    package var targetEpsilon: Double?
    /// Adaptive clipping: the noisy estimate of the share of unclipped updates, and the
    /// clip norm it sets for the next round.
    package var unclippedFraction: Double?
    package var nextClipNorm: Double?
    /// Whether the coordinator saw only the masked sum (secure aggregation).
    package var secureAggregation: Bool?
    /// What the accountant composed for this round.
    package var event: PrivacyEvent
}
