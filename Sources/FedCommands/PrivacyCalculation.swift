import FedRounds
import Foundation

/// `fedtune privacy epsilon` and `fedtune privacy noise`: what a DP-FedAvg plan costs in ε, and
/// the least noise that keeps it within a budget, from the RDP accountant (dp_accounting 0.6.0's
/// analysis). Sites are sampled either by Poisson sampling at a rate q (add-or-remove-one
/// relation) or as m of n without replacement (replace-one relation).
package enum PrivacyCalculation {
    /// How each round picks its sites.
    package enum Sampling: Sendable, Equatable {
        case poisson(sampleRate: Double)
        case withoutReplacement(population: Int, sampleSize: Int)

        /// q: the chance that a given site takes part in a round.
        var rate: Double {
            switch self {
            case .poisson(let q): q
            case .withoutReplacement(let n, let m): Double(m) / Double(n)
            }
        }

        func event(noiseMultiplier z: Double) -> PrivacyEvent {
            switch self {
            case .poisson(let q): .poissonSampledGaussian(sampleRate: q, noiseMultiplier: z)
            case .withoutReplacement(let n, let m):
                .sampledWithoutReplacementGaussian(populationSize: n, sampleSize: m, noiseMultiplier: z)
            }
        }
    }

    /// An input outside its range, named by its command-line option.
    package enum InputError: Error, Equatable, CustomStringConvertible {
        case outOfRange(option: String, value: String, allowed: String)

        package var description: String {
            switch self {
            case .outOfRange(let option, let value, let allowed): "\(option) is \(value), but it must be \(allowed)"
            }
        }
    }

    /// What `fedtune privacy epsilon` reports (also its --json form).
    package struct EpsilonReport: Sendable, Codable, Equatable {
        package var epsilon: Double
        package var delta: Double
        package var rounds: Int
        package var noiseMultiplier: Double
        /// q (m / n when sampling without replacement).
        package var sampleRate: Double
        package var population: Int?
        package var sampleSize: Int?
        /// The RDP order α at which the (ε, δ) bound is tightest.
        package var order: Double
        /// "add-or-remove-one" or "replace-one".
        package var neighboringRelation: String
    }

    /// What `fedtune privacy noise` reports: the calibrated noise multiplier rounded up to four
    /// significant digits (the value to configure) and the ε it gives.
    package struct NoiseReport: Sendable, Codable, Equatable {
        package var noiseMultiplier: Double
        /// The bisection's result before rounding up (within 1e-4 relative of the least z).
        package var calibratedNoiseMultiplier: Double
        package var targetEpsilon: Double
        package var epsilon: Double
        package var delta: Double
        package var rounds: Int
        package var sampleRate: Double
        package var population: Int?
        package var sampleSize: Int?
        package var order: Double
        package var neighboringRelation: String
    }

    /// ε after `rounds` rounds with noise multiplier `noiseMultiplier`, at δ.
    package static func epsilon(
        noiseMultiplier: Double,
        sampling: Sampling,
        rounds: Int,
        delta: Double
    ) throws -> EpsilonReport {
        try self.check(sampling: sampling, rounds: rounds, delta: delta)
        guard noiseMultiplier.isFinite, noiseMultiplier >= 0 else {
            throw InputError.outOfRange(option: "--noise-multiplier", value: "\(noiseMultiplier)", allowed: "0 or more")
        }
        let event = sampling.event(noiseMultiplier: noiseMultiplier)
        var accountant = RDPAccountant(relation: event.neighboringRelation ?? .addOrRemoveOne)
        try accountant.compose(event, count: rounds)
        let (epsilon, order) = try accountant.epsilon(delta: delta)
        let (population, sampleSize) = self.sample(sampling)
        return EpsilonReport(
            epsilon: epsilon,
            delta: delta,
            rounds: rounds,
            noiseMultiplier: noiseMultiplier,
            sampleRate: sampling.rate,
            population: population,
            sampleSize: sampleSize,
            order: order,
            neighboringRelation: accountant.relation.description
        )
    }

    /// The least noise multiplier whose ε after `rounds` rounds is at most `targetEpsilon` at δ.
    package static func noise(
        targetEpsilon: Double,
        sampling: Sampling,
        rounds: Int,
        delta: Double
    ) throws -> NoiseReport {
        try self.check(sampling: sampling, rounds: rounds, delta: delta)
        guard targetEpsilon.isFinite, targetEpsilon > 0 else {
            throw InputError.outOfRange(option: "--target-epsilon", value: "\(targetEpsilon)", allowed: "above 0")
        }
        let calibrated = try NoiseCalibration.noiseMultiplier(
            targetEpsilon: targetEpsilon,
            delta: delta,
            rounds: rounds,
            event: sampling.event(noiseMultiplier:)
        )
        // Rounded up, so the printed value is one that keeps within the budget.
        let rounded = self.roundedUp(calibrated, significantDigits: 4)
        let report = try self.epsilon(noiseMultiplier: rounded, sampling: sampling, rounds: rounds, delta: delta)
        return NoiseReport(
            noiseMultiplier: rounded,
            calibratedNoiseMultiplier: calibrated,
            targetEpsilon: targetEpsilon,
            epsilon: report.epsilon,
            delta: delta,
            rounds: rounds,
            sampleRate: report.sampleRate,
            population: report.population,
            sampleSize: report.sampleSize,
            order: report.order,
            neighboringRelation: report.neighboringRelation
        )
    }

    /// One line: "ε = 1.712 at δ = 1e-05 after 1000 rounds (noise multiplier 1.1, sample rate 0.01, RDP order 9.6)".
    package static func text(_ report: EpsilonReport) -> String {
        let sampling = self.samplingText(report.sampleRate, report.population, report.sampleSize)
        let order = self.short(report.order)
        return "ε = \(self.short(report.epsilon)) at δ = \(report.delta) after \(report.rounds) rounds "
            + "(noise multiplier \(self.plain(report.noiseMultiplier)), \(sampling), RDP order \(order))"
    }

    /// Two lines: the noise multiplier to configure and the ε it gives, then the raw calibration.
    package static func text(_ report: NoiseReport) -> String {
        "noise multiplier \(self.short(report.noiseMultiplier)): ε = \(String(format: "%.6g", report.epsilon)) ≤ "
            + "\(self.plain(report.targetEpsilon)) at δ = \(report.delta) after \(report.rounds) rounds "
            + "(\(self.samplingText(report.sampleRate, report.population, report.sampleSize)), "
            + "RDP order \(self.short(report.order)))\n"
            + "calibrated to \(String(format: "%.6g", report.calibratedNoiseMultiplier)) "
            + "(within 1e-4 relative of the least noise), rounded up to 4 significant digits"
    }

    /// Pretty, key-sorted JSON; ∞ is written as the string "inf".
    package static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf",
            negativeInfinity: "-inf",
            nan: "nan"
        )
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private static func check(sampling: Sampling, rounds: Int, delta: Double) throws {
        guard rounds >= 0 else {
            throw InputError.outOfRange(option: "--rounds", value: "\(rounds)", allowed: "0 or more")
        }
        guard delta > 0, delta < 1 else {
            throw InputError.outOfRange(option: "--delta", value: "\(delta)", allowed: "in (0, 1), e.g. 1e-5")
        }
        switch sampling {
        case .poisson(let q):
            guard q >= 0, q <= 1 else {
                throw InputError.outOfRange(option: "--sample-rate", value: "\(q)", allowed: "in [0, 1]")
            }
        case .withoutReplacement(let n, let m):
            guard n >= 1 else {
                throw InputError.outOfRange(option: "--population", value: "\(n)", allowed: "1 or more")
            }
            guard m >= 0, m <= n else {
                throw InputError.outOfRange(
                    option: "--sample-size",
                    value: "\(m)",
                    allowed: "between 0 and --population (\(n))"
                )
            }
        }
    }

    private static func sample(_ sampling: Sampling) -> (population: Int?, sampleSize: Int?) {
        switch sampling {
        case .poisson: (nil, nil)
        case .withoutReplacement(let n, let m): (n, m)
        }
    }

    private static func samplingText(_ rate: Double, _ population: Int?, _ sampleSize: Int?) -> String {
        if let population, let sampleSize {
            return "\(sampleSize) of \(population) sites sampled without replacement"
        }
        return "sample rate \(self.plain(rate))"
    }

    /// An input as typed: 1 rather than 1.0, 0.01 as itself.
    static func plain(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
    }

    /// Four significant digits: 1.712, 19.05, 0.9988, inf.
    static func short(_ value: Double) -> String {
        String(format: "%.4g", value)
    }

    /// The smallest number with `digits` significant digits that is ≥ `value`.
    static func roundedUp(_ value: Double, significantDigits digits: Int) -> Double {
        guard value > 0, value.isFinite else { return value }
        let scale = pow(10, Double(digits - 1) - log10(value).rounded(.down))
        let scaled = value * scale
        // A value already on the grid (1.5 read as 1500.0000000000002) stays where it is.
        let nearest = scaled.rounded()
        let up = abs(scaled - nearest) < 1e-9 * scaled ? nearest : scaled.rounded(.up)
        return up / scale
    }
}
