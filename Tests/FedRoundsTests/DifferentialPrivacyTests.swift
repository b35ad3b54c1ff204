import FedTensor
import OrderedCollections
import Testing

@testable import FedRounds

/// DP-FedAvg through the federation core: the released average is the clipped sum plus the
/// keyed noise over the expected number of sites, ε is recorded every round, the budget ends
/// the run, and a core rebuilt from its records continues the same budget and noise exactly.
struct DifferentialPrivacyTests {
    static let key = [UInt8](repeating: 7, count: 32)

    static func settings(
        rounds: Int,
        plan: DifferentialPrivacy,
        minSites: Int = 2
    ) -> FederationCore.Settings {
        var settings = FederationCoreTests.settings(rounds: rounds, minSites: minSites)
        settings.privacy = plan
        settings.privacyKey = Self.key
        return settings
    }

    static func plan(
        z: Double = 1,
        clip: Double = 0.1,
        target: Double? = nil,
        sampling: DifferentialPrivacy.Sampling = .poisson(rate: 1),
        population: Int = 2
    ) -> DifferentialPrivacy {
        DifferentialPrivacy(
            noiseMultiplier: z, clipNorm: clip, delta: 1e-5, targetEpsilon: target, sampling: sampling,
            population: population)
    }

    static func run(_ core: FederationCore, sites: [String] = ["s0", "s1"]) -> FederationCoreTests.Shell {
        var shell = FederationCoreTests.Shell(core: core, answering: Set(sites))
        shell.join(sites)
        return shell
    }

    @Test func theReleasedAverageIsTheClippedSumPlusKeyedNoiseOverTheExpectedSites() throws {
        let shell = Self.run(FederationCore(settings: Self.settings(rounds: 1, plan: Self.plan()), global: FederationCoreTests.start))
        let record = try #require(shell.records.first?.privacy)
        // Both updates (0.1 and 0.2 in each of 6 coordinates) are clipped to norm 0.1 and weigh 1.
        let clippedSum = Float(2 * 0.1 / 6.0.squareRoot())
        for (name, tensor) in shell.core.global {
            let noise = GaussianNoise.sample(count: tensor.count, standardDeviation: 0.1, key: Self.key,
                purpose: "update:" + name, round: 1)
            for (value, n) in zip(tensor.scalars, noise) {
                #expect(abs(value - (clippedSum + n) / 2) < 1e-6)
            }
        }
        #expect(shell.records[0].clipScales.values.allSatisfy { $0 < 1 })
        #expect(record.noiseStddev == 0.1 && record.expectedSites == 2 && record.clipNorm == 0.1)
        let expected = try RDPAccountant.epsilon(noiseMultiplier: 1, sampleRate: 1, rounds: 1, delta: 1e-5).epsilon
        #expect(record.epsilon == expected)
        #expect(record.event == .poissonSampledGaussian(sampleRate: 1, noiseMultiplier: 1))
    }

    @Test func epsilonGrowsEveryRoundAsTheAccountantComposes() throws {
        let shell = Self.run(FederationCore(settings: Self.settings(rounds: 10, plan: Self.plan()), global: FederationCoreTests.start))
        let epsilons = shell.records.compactMap { $0.privacy?.epsilon }
        #expect(epsilons.count == 10)
        #expect(zip(epsilons, epsilons.dropFirst()).allSatisfy { $0 < $1 })
        // The reference: z = 1, q = 1, 10 rounds, δ = 1e-5 → ε = 19.0536 (dp_accounting).
        #expect(abs(epsilons[9] - 19.0536) / 19.0536 < 0.01)
        #expect(shell.core.epsilon == epsilons[9])
    }

    @Test func theBudgetEndsTheRunBeforeARoundThatWouldExceedIt() throws {
        let three = Self.plan().epsilon(after: 3)
        let four = Self.plan().epsilon(after: 4)
        let plan = Self.plan(target: (three + four) / 2)
        let core = FederationCore(settings: Self.settings(rounds: 10, plan: plan), global: FederationCoreTests.start)
        let limit = try #require(core.budgetLimit)
        #expect(limit.rounds == 3 && limit.wanted == 10 && limit.epsilon == three && limit.nextEpsilon == four)
        #expect(limit.description.contains("allows 3 of the 10 rounds"))
        let shell = Self.run(core)
        #expect(shell.records.map(\.round) == [1, 2, 3])
        #expect(shell.finished?.rounds == 3)
        #expect(shell.records.allSatisfy { $0.privacy!.epsilon <= plan.targetEpsilon! })
    }

    /// A crash right after round 2 was saved: the core rebuilt from the checkpoint and the
    /// records' privacy entries continues with the same ε and the same noise, bit for bit.
    @Test func aCoreRebuiltFromItsRecordsContinuesTheSameBudgetAndNoise() throws {
        var plan = Self.plan(clip: 0.05)
        plan.adaptive = AdaptiveClipping(targetQuantile: 0.5, learningRate: 0.2, countStddev: 1.5)
        let settings = Self.settings(rounds: 4, plan: plan)
        let whole = Self.run(FederationCore(settings: settings, global: FederationCoreTests.start))
        let resumed = Self.run(
            FederationCore(
                settings: settings, global: whole.checkpoints[2]!, completedRounds: 2,
                privacyHistory: whole.records.prefix(2).compactMap(\.privacy))
        )
        #expect(resumed.records.map(\.round) == [3, 4])
        #expect(resumed.records.map(\.privacy) == Array(whole.records.suffix(2)).map(\.privacy))
        #expect(resumed.checkpoints[4] == whole.checkpoints[4])
        #expect(resumed.core.epsilon == whole.core.epsilon)
    }

    @Test func adaptiveClippingMovesTheClipNormTowardsTheTargetQuantile() throws {
        var plan = Self.plan(z: 0.5, clip: 0.001)
        plan.adaptive = AdaptiveClipping(targetQuantile: 0.5, learningRate: 0.2, countStddev: 0.5)
        let shell = Self.run(FederationCore(settings: Self.settings(rounds: 8, plan: plan), global: FederationCoreTests.start))
        let rounds = shell.records.compactMap(\.privacy)
        // Every update is far above C: the noisy unclipped share stays near 0 and C grows.
        #expect(rounds.count == 8)
        #expect(rounds.last!.clipNorm > 0.001 * 1.5)
        for (previous, next) in zip(rounds, rounds.dropFirst()) {
            #expect(next.clipNorm == previous.nextClipNorm)
        }
        // The updates' noise is what is left of z once the count has its share.
        #expect(abs(rounds[0].updateNoiseMultiplier - 1 / (1 / 0.25 - 1 / 1.0).squareRoot()) < 1e-12)
        #expect(rounds[0].noiseStddev == rounds[0].updateNoiseMultiplier * rounds[0].clipNorm)
    }

    @Test func poissonSamplingMayLeaveARoundEmptyAndStillReleasesIt() throws {
        let plan = Self.plan(sampling: .poisson(rate: 0.3), population: 4)
        let sites = ["s0", "s1", "s2", "s3"]
        let shell = Self.run(
            FederationCore(settings: Self.settings(rounds: 30, plan: plan, minSites: 4), global: FederationCoreTests.start),
            sites: sites)
        #expect(shell.records.count == 30)
        #expect(shell.records.contains { $0.sites.isEmpty }, "q = 0.3 over 4 sites leaves some rounds empty")
        #expect(shell.records.allSatisfy { $0.privacy?.expectedSites == 1.2 })
        let share = Double(shell.records.map(\.sites.count).reduce(0, +)) / Double(30 * 4)
        #expect(abs(share - 0.3) < 0.15)
    }

    @Test func poissonSamplingDecidesEachSiteByItsOwnDraw() {
        let few: Set = ["a", "b", "c"]
        let more = few.union(["d", "e", "f", "g"])
        var taken = 0
        for round in 1...400 {
            let small = SiteSampler.sample(few, size: .poisson(0.25), round: round, seed: 9)
            let large = SiteSampler.sample(more, size: .poisson(0.25), round: round, seed: 9)
            #expect(Set(small) == Set(large).intersection(few))
            taken += large.count
        }
        #expect(abs(Double(taken) / Double(400 * 7) - 0.25) < 0.03)
    }

    @Test func theNoiseIsGaussianAndAFunctionOfKeyRoundAndTensor() {
        let a = GaussianNoise.sample(count: 100_001, standardDeviation: 2, key: Self.key, purpose: "update:w", round: 4)
        let mean = a.reduce(0) { $0 + Double($1) } / Double(a.count)
        let variance = a.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(a.count)
        #expect(abs(mean) < 0.03 && abs(variance.squareRoot() - 2) < 0.03)
        // Share within one and two standard deviations, as for a normal: 68.3% and 95.4%.
        #expect(abs(Double(a.filter { abs($0) < 2 }.count) / Double(a.count) - 0.683) < 0.01)
        #expect(abs(Double(a.filter { abs($0) < 4 }.count) / Double(a.count) - 0.954) < 0.01)
        #expect(a == GaussianNoise.sample(count: 100_001, standardDeviation: 2, key: Self.key, purpose: "update:w", round: 4))
        #expect(a != GaussianNoise.sample(count: 100_001, standardDeviation: 2, key: Self.key, purpose: "update:w", round: 5))
        #expect(a != GaussianNoise.sample(count: 100_001, standardDeviation: 2, key: Self.key, purpose: "update:b", round: 4))
        var other = Self.key
        other[0] ^= 1
        #expect(a != GaussianNoise.sample(count: 100_001, standardDeviation: 2, key: other, purpose: "update:w", round: 4))
    }
}
