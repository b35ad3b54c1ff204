/// DP-FedAvg (McMahan, Ramage, Talwar, Zhang 2018, "Learning Differentially Private
/// Recurrent Language Models") as a federation runs it: each round's sites are sampled,
/// each update is clipped to C and weighs the same, Gaussian noise N(0, (z·C)²) is added to
/// the sum, and the sum is divided by the expected number of sites. The privacy unit is a
/// site: the guarantee covers everything one site contributes.
///
/// This is the resolved plan (the noise multiplier calibrated when only a budget was
/// given); `PrivacySettings` is what the file says.
package struct DifferentialPrivacy: Sendable, Equatable, Codable {
    package enum Sampling: Sendable, Equatable, Codable {
        /// Each connected site takes part with probability `rate`, independently.
        case poisson(rate: Double)
        /// `count` sites drawn without replacement.
        case fixed(count: Int)
    }

    /// z: noise standard deviation over clip norm, for the round as a whole.
    package var noiseMultiplier: Double
    /// C, or its first value under adaptive clipping.
    package var clipNorm: Double
    package var delta: Double
    /// The budget: no round starts whose ε would exceed it.
    package var targetEpsilon: Double?
    package var sampling: Sampling
    /// N, the federation's size for privacy: the rate applies to each of at least N sites,
    /// and the expected number of sites is q·N (a round starts only with N connected).
    package var population: Int
    package var adaptive: AdaptiveClipping?

    package init(
        noiseMultiplier: Double,
        clipNorm: Double,
        delta: Double,
        targetEpsilon: Double? = nil,
        sampling: Sampling,
        population: Int,
        adaptive: AdaptiveClipping? = nil
    ) {
        self.noiseMultiplier = noiseMultiplier
        self.clipNorm = clipNorm
        self.delta = delta
        self.targetEpsilon = targetEpsilon
        self.sampling = sampling
        self.population = population
        self.adaptive = adaptive
    }

    /// The divisor of the noisy sum: q·N, or the fixed count.
    package var expectedSites: Double {
        switch self.sampling {
        case .poisson(let rate): Swift.max(rate * Double(self.population), 1e-9)
        case .fixed(let count): Double(count)
        }
    }

    /// The sample size the round machine draws.
    package var sampleSize: SampleSize {
        switch self.sampling {
        case .poisson(let rate): rate >= 1 ? .all : .poisson(rate)
        case .fixed(let count): .count(count)
        }
    }

    /// The noise multiplier on the updates' sum (less than z under adaptive clipping, which
    /// spends part of the budget on the count).
    package var updateNoiseMultiplier: Double {
        self.adaptive?.updateNoiseMultiplier(total: self.noiseMultiplier) ?? self.noiseMultiplier
    }

    /// What one round is, for the accountant.
    ///
    /// Fixed-size sampling is accounted as dp_accounting does it, under replace-one
    /// adjacency: replacing a site's data moves the clipped sum by up to 2C, so the
    /// mechanism's multiplier there is z/2. Poisson sampling uses add-or-remove adjacency
    /// (a site's update moves the sum by at most C).
    package var event: PrivacyEvent {
        Self.event(self.sampling, population: self.population, noiseMultiplier: self.noiseMultiplier)
    }

    static func event(_ sampling: Sampling, population: Int, noiseMultiplier z: Double) -> PrivacyEvent {
        switch sampling {
        case .poisson(let rate):
            .poissonSampledGaussian(sampleRate: Swift.min(rate, 1), noiseMultiplier: z)
        case .fixed(let count):
            .sampledWithoutReplacementGaussian(populationSize: population, sampleSize: count, noiseMultiplier: z / 2)
        }
    }

    /// An empty accountant under the neighbouring relation this plan's event needs.
    package func accountant() -> RDPAccountant {
        RDPAccountant(relation: self.event.neighboringRelation ?? .addOrRemoveOne)
    }

    /// ε at δ after `rounds` more rounds on top of `spent` (an empty accountant if nil);
    /// infinite if the accountant refuses the event (another relation), which no budget allows.
    package func epsilon(after rounds: Int, spent: RDPAccountant? = nil) -> Double {
        var accountant = spent ?? self.accountant()
        do {
            try accountant.compose(self.event, count: rounds)
            return try accountant.epsilon(delta: self.delta).epsilon
        } catch {
            return .infinity
        }
    }

    /// How many more rounds the budget allows on top of `spent`, up to `wanted`.
    package func affordableRounds(_ wanted: Int, spent: RDPAccountant) -> Int {
        guard let target = self.targetEpsilon else { return wanted }
        // ε grows with every round: bisection on the count.
        if self.epsilon(after: wanted, spent: spent) <= target { return wanted }
        var (low, high) = (0, wanted)  // ε(low) ≤ target < ε(high)
        while high - low > 1 {
            let middle = (low + high) / 2
            if self.epsilon(after: middle, spent: spent) <= target { low = middle } else { high = middle }
        }
        return low
    }

    /// Why rounds recorded under another plan cannot be continued under `plan` (their
    /// events need another neighbouring relation), or nil when they can.
    package static func mismatch(history: [RoundPrivacy], plan: DifferentialPrivacy) -> String? {
        var accountant = plan.accountant()
        for (index, round) in history.enumerated() {
            do throws(PrivacyError) {
                try accountant.compose(round.event)
            } catch {
                return "round \(index + 1) was accounted as \(round.sampling) sampling, which cannot be composed with "
                    + "this plan's sampling (\(error)); keep the sampling the state folder was started with, or start "
                    + "a new state folder"
            }
        }
        return nil
    }
}
