import Testing

@testable import FedRounds

/// Noise calibration against dp_accounting 0.6.0's `calibrate_dp_mechanism`
/// (Tests/Fixtures/privacy/dp_accounting.json).
struct NoiseCalibrationTests {
    @Test func calibratedNoiseReachesTheTargetAndMatchesDPAccounting() throws {
        let fixture = try RDPAccountantTests.Fixture.load()

        for row in fixture.calibration {
            let z = try NoiseCalibration.noiseMultiplier(
                targetEpsilon: row.target_epsilon,
                sampleRate: row.sample_rate,
                rounds: row.rounds,
                delta: row.delta
            )

            let epsilon = try RDPAccountant.epsilon(
                noiseMultiplier: z,
                sampleRate: row.sample_rate,
                rounds: row.rounds,
                delta: row.delta
            ).epsilon
            #expect(epsilon <= row.target_epsilon, "target \(row.target_epsilon): z \(z) gives \(epsilon)")
            #expect(epsilon > 0.99 * row.target_epsilon, "target \(row.target_epsilon): z \(z) gives \(epsilon)")
            #expect(z >= row.noise_multiplier * (1 - 1e-6), "z \(z), dp_accounting \(row.noise_multiplier)")
            #expect(z <= row.noise_multiplier * (1 + 2e-4), "z \(z), dp_accounting \(row.noise_multiplier)")
        }
        #expect(fixture.calibration.count == 5)
    }

    @Test func calibrationWithoutReplacementMatchesDPAccounting() throws {
        let fixture = try RDPAccountantTests.Fixture.load()

        for row in fixture.calibration_without_replacement {
            let z = try NoiseCalibration.noiseMultiplier(
                targetEpsilon: row.target_epsilon,
                populationSize: row.population,
                sampleSize: row.sample_size,
                rounds: row.rounds,
                delta: row.delta
            )

            let epsilon = try RDPAccountant.epsilon(
                noiseMultiplier: z,
                populationSize: row.population,
                sampleSize: row.sample_size,
                rounds: row.rounds,
                delta: row.delta
            ).epsilon
            #expect(epsilon <= row.target_epsilon && epsilon > 0.99 * row.target_epsilon, "z \(z) gives \(epsilon)")
            #expect(abs(z / row.noise_multiplier - 1) < 2e-4, "z \(z), dp_accounting \(row.noise_multiplier)")
        }
        #expect(fixture.calibration_without_replacement.count == 2)
    }

    @Test func theEventClosureFormCalibratesAnyEvent() throws {
        let z = try NoiseCalibration.noiseMultiplier(targetEpsilon: 19.0536, delta: 1e-5, rounds: 10) {
            .gaussian(noiseMultiplier: $0)
        }

        #expect(abs(z - 1.0) < 1e-3, "z \(z)")
    }

    @Test func noSamplingNeedsNoNoise() throws {
        #expect(try NoiseCalibration.noiseMultiplier(targetEpsilon: 1, sampleRate: 0, rounds: 100, delta: 1e-5) == 0)
    }

    @Test func anUnreachableTargetIsRefusedWithTheLargestNoiseTried() throws {
        #expect(throws: PrivacyError.self) {
            try NoiseCalibration.noiseMultiplier(
                targetEpsilon: 1e-6,
                sampleRate: 1,
                rounds: 1_000_000_000_000_000_000,
                delta: 1e-5
            )
        }
        do {
            _ = try NoiseCalibration.noiseMultiplier(
                targetEpsilon: 1e-6,
                sampleRate: 1,
                rounds: 1_000_000_000_000_000_000,
                delta: 1e-5
            )
        } catch {
            guard case .targetUnreachable(_, let largest, let epsilon) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(largest == NoiseCalibration.largestNoiseMultiplier)
            #expect(epsilon > 1e-6)
        }
    }

    @Test func invalidInputsAreRefused() {
        #expect(throws: PrivacyError.invalidTargetEpsilon(0)) {
            try NoiseCalibration.noiseMultiplier(targetEpsilon: 0, sampleRate: 0.1, rounds: 10, delta: 1e-5)
        }
        #expect(throws: PrivacyError.sampleRateOutOfRange(-0.1)) {
            try NoiseCalibration.noiseMultiplier(targetEpsilon: 1, sampleRate: -0.1, rounds: 10, delta: 1e-5)
        }
        #expect(throws: PrivacyError.deltaOutOfRange(1)) {
            try NoiseCalibration.noiseMultiplier(targetEpsilon: 1, sampleRate: 0.1, rounds: 10, delta: 1)
        }
        #expect(throws: PrivacyError.negativeCount(-1)) {
            try NoiseCalibration.noiseMultiplier(targetEpsilon: 1, sampleRate: 0.1, rounds: -1, delta: 1e-5)
        }
        #expect(throws: PrivacyError.invalidSample(populationSize: 5, sampleSize: 6)) {
            try NoiseCalibration.noiseMultiplier(
                targetEpsilon: 1,
                populationSize: 5,
                sampleSize: 6,
                rounds: 10,
                delta: 1e-5
            )
        }
    }
}
