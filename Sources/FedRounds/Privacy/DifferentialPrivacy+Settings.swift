/// A `privacy` section that cannot run, told with its key.
package enum PrivacySettingsError: Error, Equatable, CustomStringConvertible {
    /// A key's value out of its range.
    case invalid(key: String, value: String, expected: String)
    /// Neither a noise multiplier nor a budget.
    case noNoise
    /// The budget is spent by the first round already.
    case budgetTooSmall(firstRound: Double, target: Double, noiseMultiplier: Double)
    /// No noise multiplier reaches the budget in the rounds asked for.
    case calibration(String)

    package var description: String {
        switch self {
        case .invalid(let key, let value, let expected):
            "privacy.\(key) must be \(expected), not \(value)"
        case .noNoise:
            "privacy needs noise_multiplier, target_epsilon or both (with target_epsilon alone the noise multiplier is calibrated to spend it over the rounds)"
        case .budgetTooSmall(let first, let target, let z):
            "privacy: one round with noise_multiplier \(z) already spends ε = \(FederationCore.BudgetLimit.short(first)), "
                + "above target_epsilon \(target): raise noise_multiplier, lower sample_rate or raise target_epsilon"
        case .calibration(let detail):
            "privacy: \(detail)"
        }
    }
}

extension DifferentialPrivacy {
    /// The plan for a federation of `population` sites running `rounds` rounds that samples
    /// `sample` of them (coordinator.yaml's `sample`, a scenario's), from what `settings`
    /// say: the sampling, δ (1e-5 unless given), and z, calibrated to spend `target_epsilon`
    /// over the rounds when it is not given.
    package static func resolve(
        _ settings: PrivacySettings,
        rounds: Int,
        population: Int,
        sample: SampleSize
    ) throws(PrivacySettingsError) -> DifferentialPrivacy {
        func check(_ ok: Bool, _ key: String, _ value: Any, _ expected: String) throws(PrivacySettingsError) {
            if !ok { throw .invalid(key: key, value: "\(value)", expected: expected) }
        }
        try check(settings.clipNorm.isFinite && settings.clipNorm > 0, "clip_norm", settings.clipNorm, "a positive number")
        let delta = settings.delta ?? 1e-5
        try check(delta > 0 && delta < 1, "delta", delta, "in (0, 1), typically below 1 / the number of sites")
        if let z = settings.noiseMultiplier {
            try check(z.isFinite && z > 0 && z <= 1_000, "noise_multiplier", z, "a number in (0, 1000]")
        }
        if let target = settings.targetEpsilon {
            try check(target.isFinite && target > 0, "target_epsilon", target, "a positive number")
        }
        guard settings.noiseMultiplier != nil || settings.targetEpsilon != nil else { throw .noNoise }
        let sampling: Sampling
        switch settings.sampling ?? (settings.sampleRate != nil ? "poisson" : nil) {
        case "poisson":
            let rate: Double
            switch sample {
            case .fraction(let f) where settings.sampleRate == nil: rate = f
            case .poisson(let q) where settings.sampleRate == nil: rate = q
            default: rate = settings.sampleRate ?? 1
            }
            try check(rate > 0 && rate <= 1, "sample_rate", rate, "in (0, 1]")
            sampling = .poisson(rate: rate)
        case "fixed":
            try check(
                settings.sampleRate == nil, "sample_rate", settings.sampleRate ?? 0,
                "absent with sampling: fixed (the count comes from `sample`)")
            sampling = .fixed(count: Swift.max(1, sample.count(of: population)))
        case nil:
            switch sample {
            case .all: sampling = .poisson(rate: 1)
            case .fraction(let f), .poisson(let f): sampling = .poisson(rate: f)
            case .count(let n): sampling = .fixed(count: Swift.min(n, population))
            }
        case let other?:
            throw .invalid(key: "sampling", value: "'\(other)'", expected: "'poisson' or 'fixed'")
        }
        var plan = DifferentialPrivacy(
            noiseMultiplier: settings.noiseMultiplier ?? 1,
            clipNorm: settings.clipNorm,
            delta: delta,
            targetEpsilon: settings.targetEpsilon,
            sampling: sampling,
            population: population
        )
        if let adaptive = settings.adaptiveClipping {
            let quantile = adaptive.targetQuantile ?? 0.5
            try check(quantile > 0 && quantile < 1, "adaptive_clipping.target_quantile", quantile, "in (0, 1)")
            let step = adaptive.learningRate ?? 0.2
            try check(step > 0 && step <= 10, "adaptive_clipping.learning_rate", step, "in (0, 10]")
            if let stddev = adaptive.countStddev {
                try check(stddev.isFinite && stddev > 0, "adaptive_clipping.count_stddev", stddev, "a positive number")
            }
            plan.adaptive = AdaptiveClipping(targetQuantile: quantile, learningRate: step, countStddev: adaptive.countStddev ?? 0)
        }
        if settings.noiseMultiplier == nil, let target = settings.targetEpsilon {
            let event = { (z: Double) in Self.event(sampling, population: population, noiseMultiplier: z) }
            do {
                plan.noiseMultiplier = try NoiseCalibration.noiseMultiplier(
                    targetEpsilon: target, delta: delta, rounds: rounds, event: event)
            } catch {
                throw .calibration("\(error)")
            }
        }
        if var adaptive = plan.adaptive {
            // Andrew et al. suggest σ_b = m/20; it must exceed z/2 for the updates to keep
            // any noise budget, so it is at least z (then z_Δ = 1.15·z).
            if adaptive.countStddev == 0 { adaptive.countStddev = Swift.max(plan.expectedSites / 20, plan.noiseMultiplier) }
            plan.adaptive = adaptive
            guard adaptive.updateNoiseMultiplier(total: plan.noiseMultiplier) != nil else {
                throw .invalid(
                    key: "adaptive_clipping.count_stddev", value: "\(adaptive.countStddev)",
                    expected: "above noise_multiplier / 2 = \(plan.noiseMultiplier / 2) (the count's noise and the updates' share one budget)")
            }
        }
        if let target = plan.targetEpsilon {
            let first = plan.epsilon(after: 1)
            if first > target {
                throw .budgetTooSmall(firstRound: first, target: target, noiseMultiplier: plan.noiseMultiplier)
            }
        }
        return plan
    }
}
