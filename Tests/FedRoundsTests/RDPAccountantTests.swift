import Foundation
import Testing

@testable import FedRounds

/// The RDP accountant against Google's dp_accounting 0.6.0: the issue's two values written
/// out, and every value of Tests/Fixtures/privacy/dp_accounting.json
/// (scripts/fixtures/make_privacy_fixtures.py).
struct RDPAccountantTests {
    /// The fixture, decoded as the script writes it.
    struct Fixture: Decodable {
        struct Poisson: Decodable {
            var noise_multiplier, sample_rate, delta, epsilon, order: Double
            var rounds: Int
        }
        struct WithoutReplacement: Decodable {
            var population, sample_size, rounds: Int
            var noise_multiplier, delta, epsilon, order: Double
        }
        struct Delta: Decodable {
            var noise_multiplier, sample_rate, epsilon, delta, order: Double
            var rounds: Int
        }
        struct Calibration: Decodable {
            var target_epsilon, sample_rate, delta, noise_multiplier, epsilon: Double
            var rounds: Int
        }
        var dp_accounting_version: String
        var orders: [Double]
        var poisson: [Poisson]
        var without_replacement: [WithoutReplacement]
        var delta: [Delta]
        struct CalibrationWithoutReplacement: Decodable {
            var target_epsilon, delta, noise_multiplier, epsilon: Double
            var population, sample_size, rounds: Int
        }
        var calibration: [Calibration]
        var calibration_without_replacement: [CalibrationWithoutReplacement]

        static func load() throws -> Fixture {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/privacy/dp_accounting.json")
            return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        }
    }

    static func relativeError(_ value: Double, _ reference: Double) -> Double {
        abs(value - reference) / abs(reference)
    }

    @Test func tenUnsampledRoundsAtNoiseOneGiveEpsilon19() throws {
        let (epsilon, order) = try RDPAccountant.epsilon(noiseMultiplier: 1.0, sampleRate: 1.0, rounds: 10, delta: 1e-5)

        #expect(Self.relativeError(epsilon, 19.0536) < 0.01, "ε = \(epsilon)")
        #expect(order == 2.5)
    }

    @Test func thousandRoundsAtOnePercentAndNoise1Point1GiveEpsilon1Point71() throws {
        let (epsilon, order) = try RDPAccountant.epsilon(
            noiseMultiplier: 1.1,
            sampleRate: 0.01,
            rounds: 1000,
            delta: 1e-5
        )

        #expect(Self.relativeError(epsilon, 1.7118) < 0.01, "ε = \(epsilon)")
        #expect(order == 9.6)
    }

    @Test func defaultOrdersAreDPAccountingsBitForBit() throws {
        let fixture = try Fixture.load()

        #expect(fixture.dp_accounting_version == "0.6.0")
        #expect(RDPAccountant.defaultOrders == fixture.orders)
        #expect(RDPAccountant.defaultOrders.count == 156)
    }

    @Test func poissonGridMatchesDPAccounting() throws {
        let fixture = try Fixture.load()

        var worst = 0.0
        for row in fixture.poisson {
            let (epsilon, order) = try RDPAccountant.epsilon(
                noiseMultiplier: row.noise_multiplier,
                sampleRate: row.sample_rate,
                rounds: row.rounds,
                delta: row.delta
            )
            let error = Self.relativeError(epsilon, row.epsilon)
            worst = max(worst, error)
            #expect(
                error < 0.01,
                "z \(row.noise_multiplier) q \(row.sample_rate) T \(row.rounds): \(epsilon) vs \(row.epsilon)"
            )
            #expect(order == row.order, "z \(row.noise_multiplier) q \(row.sample_rate) T \(row.rounds)")
        }

        #expect(fixture.poisson.count == 192)
        #expect(worst < 1e-9, "largest relative difference \(worst)")
    }

    @Test func withoutReplacementGridMatchesDPAccounting() throws {
        let fixture = try Fixture.load()

        var worst = 0.0
        for row in fixture.without_replacement {
            let (epsilon, order) = try RDPAccountant.epsilon(
                noiseMultiplier: row.noise_multiplier,
                populationSize: row.population,
                sampleSize: row.sample_size,
                rounds: row.rounds,
                delta: row.delta
            )
            let error = Self.relativeError(epsilon, row.epsilon)
            worst = max(worst, error)
            #expect(
                error < 0.01,
                "n \(row.population) m \(row.sample_size) z \(row.noise_multiplier): \(epsilon) vs \(row.epsilon)"
            )
            #expect(order == row.order, "n \(row.population) m \(row.sample_size) z \(row.noise_multiplier)")
        }

        #expect(fixture.without_replacement.count == 24)
        #expect(worst < 1e-9, "largest relative difference \(worst)")
    }

    @Test func deltaAtEpsilonMatchesDPAccounting() throws {
        let fixture = try Fixture.load()

        for row in fixture.delta {
            var accountant = RDPAccountant()
            try accountant.compose(
                .poissonSampledGaussian(sampleRate: row.sample_rate, noiseMultiplier: row.noise_multiplier),
                count: row.rounds
            )

            let delta = try accountant.delta(epsilon: row.epsilon)

            #expect(
                Self.relativeError(delta, row.delta) < 0.01,
                "z \(row.noise_multiplier) ε \(row.epsilon): \(delta) vs \(row.delta)"
            )
        }
    }
}

/// Composition, durable state, edge cases and refusals.
extension RDPAccountantTests {
    @Test func composingTTimesEqualsComposingWithCountT() throws {
        let event = PrivacyEvent.poissonSampledGaussian(sampleRate: 0.01, noiseMultiplier: 1.1)
        var oneByOne = RDPAccountant()
        var together = RDPAccountant()

        for _ in 0..<100 { try oneByOne.compose(event) }
        try together.compose(event, count: 100)

        for (a, b) in zip(oneByOne.rdp, together.rdp) {
            #expect(abs(a - b) <= 1e-12 * b)
        }
        let (single, batched) = (try oneByOne.epsilon(delta: 1e-5), try together.epsilon(delta: 1e-5))
        #expect(abs(single.epsilon - batched.epsilon) <= 1e-12 * batched.epsilon)
        #expect(single.order == batched.order)
    }

    @Test func differentEventsAddUp() throws {
        var accountant = RDPAccountant()

        try accountant.compose(.poissonSampledGaussian(sampleRate: 0.1, noiseMultiplier: 2), count: 5)
        try accountant.compose(.gaussian(noiseMultiplier: 3), count: 2)

        let first = PrivacyEvent.poissonSampledGaussian(sampleRate: 0.1, noiseMultiplier: 2).rdp(
            orders: accountant.orders
        )
        let second = PrivacyEvent.gaussian(noiseMultiplier: 3).rdp(orders: accountant.orders)
        for index in accountant.orders.indices {
            #expect(accountant.rdp[index] == 5 * first[index] + 2 * second[index])
        }
    }

    @Test func codableRoundTripKeepsEpsilonExactly() throws {
        var accountant = RDPAccountant()
        try accountant.compose(.poissonSampledGaussian(sampleRate: 0.01, noiseMultiplier: 1.1), count: 1000)

        let restored = try JSONDecoder().decode(RDPAccountant.self, from: JSONEncoder().encode(accountant))

        #expect(restored == accountant)
        #expect(try restored.epsilon(delta: 1e-5) == accountant.epsilon(delta: 1e-5))
    }

    @Test func infiniteRDPIsStoredAsInfAndRestored() throws {
        var accountant = RDPAccountant(relation: .replaceOne)
        try accountant.compose(.gaussian(noiseMultiplier: 0))

        let data = try JSONEncoder().encode(accountant)
        let restored = try JSONDecoder().decode(RDPAccountant.self, from: data)

        #expect(String(decoding: data, as: UTF8.self).contains("\"inf\""))
        #expect(restored == accountant)
        #expect(restored.relation == .replaceOne)
        #expect(try restored.epsilon(delta: 1e-5).epsilon == .infinity)
    }

    @Test func damagedStateIsRefused() throws {
        let json = #"{"orders": [2, 3], "rdp": [0.5], "relation": "addOrRemoveOne"}"#

        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RDPAccountant.self, from: Data(json.utf8)) }
    }

    @Test func noSamplingSpendsNothingAndNoNoiseSpendsEverything() throws {
        let unsampled = try RDPAccountant.epsilon(noiseMultiplier: 0, sampleRate: 0, rounds: 10, delta: 1e-5)
        let unnoised = try RDPAccountant.epsilon(noiseMultiplier: 0, sampleRate: 0.5, rounds: 1, delta: 1e-5)
        let noRounds = try RDPAccountant.epsilon(noiseMultiplier: 1, sampleRate: 0.5, rounds: 0, delta: 1e-5)
        let unnoisedSample = try RDPAccountant.epsilon(
            noiseMultiplier: 0,
            populationSize: 10,
            sampleSize: 3,
            rounds: 1,
            delta: 1e-5
        )

        #expect(unsampled.epsilon == 0)
        #expect(unnoised.epsilon == .infinity)
        #expect(noRounds.epsilon == 0)
        #expect(unnoisedSample.epsilon == .infinity)
    }

    @Test func fullSamplingIsThePlainGaussian() throws {
        var sampled = RDPAccountant()
        var plain = RDPAccountant()

        try sampled.compose(.poissonSampledGaussian(sampleRate: 1, noiseMultiplier: 0.8), count: 7)
        try plain.compose(.gaussian(noiseMultiplier: 0.8), count: 7)

        #expect(sampled.rdp == plain.rdp)
        #expect(sampled.rdp[9] == 7 * 2.0 / (2 * 0.8 * 0.8))  // order 2: α / 2z² per round
    }

    @Test func epsilonFallsWithNoiseAndGrowsWithRounds() throws {
        let epsilons = try [0.6, 0.9, 1.3, 2.5].map {
            try RDPAccountant.epsilon(noiseMultiplier: $0, sampleRate: 0.05, rounds: 200, delta: 1e-5).epsilon
        }
        let byRounds = try [1, 10, 100, 1000].map {
            try RDPAccountant.epsilon(noiseMultiplier: 1, sampleRate: 0.05, rounds: $0, delta: 1e-5).epsilon
        }

        #expect(zip(epsilons, epsilons.dropFirst()).allSatisfy { $0 > $1 })
        #expect(zip(byRounds, byRounds.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func deltaAtTheReportedEpsilonIsWithinTheTargetDelta() throws {
        var accountant = RDPAccountant()
        try accountant.compose(.poissonSampledGaussian(sampleRate: 0.01, noiseMultiplier: 1.1), count: 1000)

        let (epsilon, _) = try accountant.epsilon(delta: 1e-5)

        #expect(try accountant.delta(epsilon: epsilon) <= 1e-5 * (1 + 1e-9))
        #expect(try accountant.delta(epsilon: epsilon * 0.9) > 1e-5)
    }

    @Test func outOfRangeInputsAreRefused() throws {
        var accountant = RDPAccountant()

        #expect(throws: PrivacyError.sampleRateOutOfRange(1.5)) {
            try accountant.compose(.poissonSampledGaussian(sampleRate: 1.5, noiseMultiplier: 1))
        }
        #expect(throws: PrivacyError.invalidNoiseMultiplier(-1)) {
            try accountant.compose(.gaussian(noiseMultiplier: -1))
        }
        #expect(throws: PrivacyError.negativeCount(-3)) {
            try accountant.compose(.gaussian(noiseMultiplier: 1), count: -3)
        }
        #expect(throws: PrivacyError.deltaOutOfRange(0)) { try accountant.epsilon(delta: 0) }
        #expect(throws: PrivacyError.deltaOutOfRange(1)) { try accountant.epsilon(delta: 1) }
        #expect(throws: PrivacyError.invalidEpsilon(-1)) { try accountant.delta(epsilon: -1) }
        #expect(throws: PrivacyError.invalidOrders([0.5])) { try RDPAccountant(orders: [0.5]) }
        #expect(accountant.rdp.allSatisfy { $0 == 0 })
    }

    @Test func samplingWithoutReplacementNeedsTheReplaceOneRelation() throws {
        var addOrRemove = RDPAccountant()
        var replaceOne = RDPAccountant(relation: .replaceOne)
        let event = PrivacyEvent.sampledWithoutReplacementGaussian(
            populationSize: 100,
            sampleSize: 10,
            noiseMultiplier: 1
        )

        #expect(throws: PrivacyError.self) { try addOrRemove.compose(event) }
        #expect(throws: PrivacyError.self) {
            try replaceOne.compose(.poissonSampledGaussian(sampleRate: 0.1, noiseMultiplier: 1))
        }
        #expect(throws: PrivacyError.invalidSample(populationSize: 10, sampleSize: 11)) {
            try replaceOne.compose(
                .sampledWithoutReplacementGaussian(populationSize: 10, sampleSize: 11, noiseMultiplier: 1)
            )
        }
        try replaceOne.compose(event)
        try replaceOne.compose(.gaussian(noiseMultiplier: 2))
        #expect(try replaceOne.epsilon(delta: 1e-5).epsilon > 0)
    }

    @Test func errorsReadAsSentencesWithTheirValues() {
        #expect(PrivacyError.sampleRateOutOfRange(1.5).description.contains("1.5 is outside [0, 1]"))
        #expect(PrivacyError.deltaOutOfRange(2).description.contains("outside (0, 1)"))
        let unreachable = PrivacyError.targetUnreachable(
            targetEpsilon: 1e-6,
            largestNoiseMultiplier: 2_147_483_647,
            epsilon: 2
        )
        #expect(unreachable.description.contains("no noise multiplier up to 2147483647 brings ε down to 1e-06"))
    }
}
