/// The least noise that keeps a number of rounds within a privacy budget: the smallest noise
/// multiplier z whose ε after `rounds` releases is at most the target, found as dp_accounting
/// 0.6.0's `calibrate_dp_mechanism` finds it: an exponentially growing bracket from [0, 1],
/// then bisection, always keeping the end whose ε is within the target.
package enum NoiseCalibration {
    /// dp_accounting's bracket search gives up after 30 doublings: the bracket's upper end is
    /// then 1 + 2 + … + 2³⁰ = 2³¹ − 1.
    package static let largestNoiseMultiplier = Double((1 << 31) - 1)

    /// The bisection stops when the bracket is this narrow relative to its upper end.
    package static let relativeTolerance = 1e-4

    /// The smallest z (to `relativeTolerance`, rounded towards more noise) for which `rounds`
    /// compositions of `event(z)` are (ε, δ)-DP with ε ≤ `targetEpsilon`. The accountant uses
    /// the neighbouring relation the event needs (add-or-remove-one for an unsampled one).
    package static func noiseMultiplier(
        targetEpsilon: Double,
        delta: Double,
        rounds: Int,
        event: (Double) -> PrivacyEvent
    ) throws(PrivacyError) -> Double {
        guard targetEpsilon.isFinite, targetEpsilon > 0 else { throw .invalidTargetEpsilon(targetEpsilon) }
        guard delta > 0, delta < 1 else { throw .deltaOutOfRange(delta) }
        guard rounds >= 0 else { throw .negativeCount(rounds) }
        let relation = event(1).neighboringRelation ?? .addOrRemoveOne
        func epsilon(_ z: Double) throws(PrivacyError) -> Double {
            var accountant = RDPAccountant(relation: relation)
            try accountant.compose(event(z), count: rounds)
            return try accountant.epsilon(delta: delta).epsilon
        }

        if try epsilon(0) <= targetEpsilon { return 0 }
        // Bracket: (lower, upper] with ε(lower) > target ≥ ε(upper); widths 1, 2, 4, … as in
        // dp_accounting's _search_for_explicit_bracket_interval.
        var (lower, upper, width) = (0.0, 1.0, 1.0)
        var upperEpsilon = try epsilon(upper)
        while upperEpsilon > targetEpsilon {
            guard upper < self.largestNoiseMultiplier else {
                throw .targetUnreachable(
                    targetEpsilon: targetEpsilon,
                    largestNoiseMultiplier: upper,
                    epsilon: upperEpsilon
                )
            }
            width *= 2
            (lower, upper) = (upper, upper + width)
            upperEpsilon = try epsilon(upper)
        }
        while upper - lower > self.relativeTolerance * upper {
            let middle = (lower + upper) / 2
            if try epsilon(middle) <= targetEpsilon {
                upper = middle
            } else {
                lower = middle
            }
        }
        return upper
    }

    /// The smallest z for `rounds` rounds of Poisson sampling at rate `sampleRate`.
    package static func noiseMultiplier(
        targetEpsilon: Double,
        sampleRate: Double,
        rounds: Int,
        delta: Double
    ) throws(PrivacyError) -> Double {
        try PrivacyEvent.poissonSampledGaussian(sampleRate: sampleRate, noiseMultiplier: 1).validate()
        return try self.noiseMultiplier(targetEpsilon: targetEpsilon, delta: delta, rounds: rounds) {
            .poissonSampledGaussian(sampleRate: sampleRate, noiseMultiplier: $0)
        }
    }

    /// The smallest z for `rounds` rounds that each sample `sampleSize` of `populationSize`
    /// sites without replacement.
    package static func noiseMultiplier(
        targetEpsilon: Double,
        populationSize: Int,
        sampleSize: Int,
        rounds: Int,
        delta: Double
    ) throws(PrivacyError) -> Double {
        try PrivacyEvent.sampledWithoutReplacementGaussian(
            populationSize: populationSize,
            sampleSize: sampleSize,
            noiseMultiplier: 1
        ).validate()
        return try self.noiseMultiplier(targetEpsilon: targetEpsilon, delta: delta, rounds: rounds) {
            .sampledWithoutReplacementGaussian(
                populationSize: populationSize,
                sampleSize: sampleSize,
                noiseMultiplier: $0
            )
        }
    }
}
