import Foundation

/// What differential privacy (DP-FedAvg) guaranteed for a run, as summary.json holds it and
/// the report states it: the mechanism's numbers, the (ε, δ) spent after the last round,
/// ε after each round, and whether the budget ended the run before the rounds asked for.
///
/// The privacy unit is a site: the guarantee covers everything one site contributes over
/// the whole run.
package struct PrivacySummary: Codable, Sendable, Equatable {
    /// "gaussian": the Gaussian mechanism on the clipped sum of the updates.
    package var mechanism: String
    /// "poisson" (each site takes part with probability q) or "fixed" (a fixed count).
    package var sampling: String
    /// q: the probability that a given site takes part in a round.
    package var sampleRate: Double
    /// z: the noise multiplier the accountant composes each round.
    package var noiseMultiplier: Double
    /// z_Δ: the multiplier of the noise on the updates' sum (above z under adaptive clipping, which
    /// spends part of the budget on the count of unclipped updates).
    package var updateNoiseMultiplier: Double
    /// C of the first round.
    package var clipNorm: Double
    /// C of the last round (adaptive clipping only).
    package var lastClipNorm: Double?
    /// Whether the clip norm followed a quantile of the update norms.
    package var adaptiveClipping: Bool
    /// The divisor of the noisy sum: the expected number of sites per round.
    package var expectedSites: Double
    /// σ = z_Δ·C of the first round: the noise's standard deviation on each coordinate of the sum.
    package var noiseStddev: Double
    package var delta: Double
    /// ε at δ after the last round.
    package var epsilon: Double
    /// The budget, if one was set.
    package var targetEpsilon: Double?
    /// Rounds that closed, and the rounds the scenario asked for.
    package var roundsRun: Int
    package var roundsAsked: Int
    /// Whether the budget stopped the run before `roundsAsked`.
    package var endedByBudget: Bool
    /// ε at δ after each round, cumulative (so increasing).
    package var epsilonPerRound: [Double]
    /// C of each round (adaptive clipping only).
    package var clipNormPerRound: [Double]?
    /// true when the coordinator saw only the masked sum of the updates; nil when the
    /// records do not say.
    package var secureAggregation: Bool?
    /// Where the noise and the sampling were drawn from: "seed" (a simulation in process:
    /// reproducible, not secret) or "privacy.key" (a coordinator's secret key); nil: not said.
    package var noiseSource: String?

    package init(
        mechanism: String = "gaussian",
        sampling: String,
        sampleRate: Double,
        noiseMultiplier: Double,
        updateNoiseMultiplier: Double,
        clipNorm: Double,
        lastClipNorm: Double? = nil,
        adaptiveClipping: Bool = false,
        expectedSites: Double,
        noiseStddev: Double,
        delta: Double,
        epsilon: Double,
        targetEpsilon: Double? = nil,
        roundsRun: Int,
        roundsAsked: Int,
        endedByBudget: Bool = false,
        epsilonPerRound: [Double],
        clipNormPerRound: [Double]? = nil,
        secureAggregation: Bool? = nil,
        noiseSource: String? = nil
    ) {
        self.mechanism = mechanism
        self.sampling = sampling
        self.sampleRate = sampleRate
        self.noiseMultiplier = noiseMultiplier
        self.updateNoiseMultiplier = updateNoiseMultiplier
        self.clipNorm = clipNorm
        self.lastClipNorm = lastClipNorm
        self.adaptiveClipping = adaptiveClipping
        self.expectedSites = expectedSites
        self.noiseStddev = noiseStddev
        self.delta = delta
        self.epsilon = epsilon
        self.targetEpsilon = targetEpsilon
        self.roundsRun = roundsRun
        self.roundsAsked = roundsAsked
        self.endedByBudget = endedByBudget
        self.epsilonPerRound = epsilonPerRound
        self.clipNormPerRound = clipNormPerRound
        self.secureAggregation = secureAggregation
        self.noiseSource = noiseSource
    }

    /// The mechanism as a reader knows it: "DP-FedAvg" for the Gaussian mechanism on the sum.
    package var mechanismName: String {
        self.mechanism == "gaussian" ? "DP-FedAvg" : self.mechanism
    }

    /// ε with two decimals ("3.21"), in exponent form past 1000 (a run with next to no
    /// noise: "2.2e+13"), "∞" when no noise bounds it.
    package static func epsilonText(_ epsilon: Double) -> String {
        guard epsilon.isFinite else { return "∞" }
        return String(format: epsilon < 1000 ? "%.2f" : "%.2g", epsilon)
    }

    /// A number in its shortest plain form: δ as "1e-05", z as "1.1", C as "0.5".
    package static func short(_ value: Double) -> String {
        String(format: "%g", value)
    }

    /// The one line the console prints after the results table, e.g. "privacy: ε = 3.21 at
    /// δ = 1e-05 after 30 rounds (DP-FedAvg, z = 1.1, C = 0.5, q = 0.2)", and why the run
    /// stopped early when the budget ended it.
    package var consoleLine: String {
        var clip = "C = \(Self.short(self.clipNorm))"
        if self.adaptiveClipping, let last = self.lastClipNorm {
            clip = "C = \(Self.short(self.clipNorm)) → \(String(format: "%.3g", last)) (adaptive)"
        }
        var line =
            "privacy: ε = \(Self.epsilonText(self.epsilon)) at δ = \(Self.short(self.delta)) after "
            + "\(self.roundsRun) round\(self.roundsRun == 1 ? "" : "s") (\(self.mechanismName), "
            + "z = \(String(format: "%.3g", self.noiseMultiplier)), \(clip), q = \(Self.short(self.sampleRate)))"
        if let target = self.targetEpsilon {
            line += "; target ε = \(Self.short(target))"
        }
        if self.endedByBudget {
            line += "; the budget ended the run after \(self.roundsRun) of the \(self.roundsAsked) rounds asked"
        }
        if self.secureAggregation == true {
            line += "; secure aggregation on"
        }
        return line
    }
}
