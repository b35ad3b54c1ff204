import Testing

@testable import FedRounds

/// The `privacy` section resolved into a plan: the sampling it implies, the noise
/// multiplier calibrated from a budget, and a sentence naming the key for what cannot run.
struct PrivacySettingsTests {
    static func resolve(
        _ settings: PrivacySettings,
        rounds: Int = 100,
        population: Int = 50,
        sample: SampleSize = .all
    ) throws(PrivacySettingsError) -> DifferentialPrivacy {
        try DifferentialPrivacy.resolve(settings, rounds: rounds, population: population, sample: sample)
    }

    @Test func theSamplingFollowsTheSettingsOrTheRoundPolicy() throws {
        var settings = PrivacySettings(clipNorm: 1, noiseMultiplier: 1)
        #expect(try Self.resolve(settings).sampling == .poisson(rate: 1))
        #expect(try Self.resolve(settings, sample: .fraction(0.2)).sampling == .poisson(rate: 0.2))
        #expect(try Self.resolve(settings, sample: .count(5)).sampling == .fixed(count: 5))
        settings.sampleRate = 0.1
        let poisson = try Self.resolve(settings)
        #expect(poisson.sampling == .poisson(rate: 0.1) && poisson.expectedSites == 5)
        #expect(poisson.sampleSize == .poisson(0.1))
        #expect(poisson.event == .poissonSampledGaussian(sampleRate: 0.1, noiseMultiplier: 1))
        settings.sampleRate = nil
        settings.sampling = "fixed"
        let fixed = try Self.resolve(settings, sample: .count(10))
        #expect(fixed.sampling == .fixed(count: 10) && fixed.expectedSites == 10)
        // Replace-one adjacency: one site's change moves the sum by up to 2C.
        #expect(fixed.event == .sampledWithoutReplacementGaussian(populationSize: 50, sampleSize: 10, noiseMultiplier: 0.5))
    }

    @Test func aBudgetAloneIsSpentExactlyOverTheRounds() throws {
        var settings = PrivacySettings(clipNorm: 1, targetEpsilon: 2)
        settings.sampleRate = 0.1
        let plan = try Self.resolve(settings, rounds: 200)
        let spent = plan.epsilon(after: 200)
        #expect(spent <= 2 && spent > 2 * 0.99, "z = \(plan.noiseMultiplier) spends ε = \(spent)")
        #expect(plan.affordableRounds(200, spent: plan.accountant()) == 200)
        #expect(plan.affordableRounds(400, spent: plan.accountant()) < 400)
    }

    @Test func adaptiveClippingKeepsTheRoundsCostAtZ() throws {
        var settings = PrivacySettings(clipNorm: 0.1, noiseMultiplier: 1.2)
        settings.adaptiveClipping = .init(targetQuantile: 0.6)
        let plan = try Self.resolve(settings)
        let adaptive = try #require(plan.adaptive)
        // σ_b defaults to max(m/20, z) = max(2.5, 1.2).
        #expect(adaptive.countStddev == 2.5 && adaptive.targetQuantile == 0.6 && adaptive.learningRate == 0.2)
        let zDelta = plan.updateNoiseMultiplier
        #expect(abs(1 / (zDelta * zDelta) + 1 / (4 * 2.5 * 2.5) - 1 / (1.2 * 1.2)) < 1e-12)
        #expect(AdaptiveClipping(countStddev: 1).nextClipNorm(1, unclippedFraction: 0.5) == 1)
        #expect(AdaptiveClipping(countStddev: 1).nextClipNorm(1, unclippedFraction: 1) < 1)
    }

    @Test(arguments: [
        (PrivacySettings(clipNorm: 1), "privacy needs noise_multiplier, target_epsilon or both"),
        (PrivacySettings(clipNorm: -1, noiseMultiplier: 1), "privacy.clip_norm must be a positive number, not -1.0"),
        (PrivacySettings(clipNorm: 1, noiseMultiplier: 0), "privacy.noise_multiplier must be a number in (0, 1000]"),
        (PrivacySettings(clipNorm: 1, noiseMultiplier: 0.3, targetEpsilon: 1), "one round with noise_multiplier 0.3"),
    ])
    func whatCannotRunIsNamed(settings: PrivacySettings, message: String) {
        #expect {
            _ = try Self.resolve(settings)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func badSamplingAndCountNoiseAreNamed() {
        var settings = PrivacySettings(clipNorm: 1, noiseMultiplier: 1)
        settings.sampling = "sometimes"
        #expect(throws: PrivacySettingsError.invalid(key: "sampling", value: "'sometimes'", expected: "'poisson' or 'fixed'")) {
            _ = try Self.resolve(settings)
        }
        settings.sampling = "poisson"
        settings.sampleRate = 1.5
        #expect { _ = try Self.resolve(settings) } throws: { "\($0)".contains("privacy.sample_rate must be in (0, 1]") }
        settings.sampleRate = nil
        settings.adaptiveClipping = .init(countStddev: 0.4)
        #expect { _ = try Self.resolve(settings) } throws: {
            "\($0)".contains("privacy.adaptive_clipping.count_stddev must be above noise_multiplier / 2 = 0.5")
        }
    }
}
