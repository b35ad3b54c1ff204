import FedTensor
import Foundation

/// A trial the sampler learns from: the settings it ran with and how far and how well it got.
package struct Observation: Sendable, Equatable {
    package var values: [SweepKey: Double]
    /// How many rungs it passed (a finished trial passed them all): deeper trials rank first.
    package var depth: Int
    /// The validation score where it stopped (higher is better).
    package var score: Double

    package init(values: [SweepKey: Double], depth: Int, score: Double) {
        self.values = values
        self.depth = depth
        self.score = score
    }
}

/// The Tree-structured Parzen Estimator (Bergstra et al. 2011), univariate as Optuna's
/// `TPESampler` is by default: the first trials are drawn at random; after that the observed
/// trials are split at the γ quantile into good and bad, each setting gets a Parzen estimator
/// l(x) over the good and g(x) over the bad, and of `candidates` draws from l the one with the
/// largest l(x)/g(x) is taken.
///
/// Pure: a suggestion depends only on the seed, the trial's number and the observations, so a
/// resumed sweep suggests exactly what an uninterrupted one would have.
package struct TPESampler: Sendable {
    package struct Settings: Sendable, Equatable {
        /// Trials drawn at random before TPE starts (Optuna's `n_startup_trials`).
        package var startupTrials = 10
        /// Draws from l(x) among which the best ratio is chosen (Optuna's `n_ei_candidates`).
        package var candidates = 24
        /// Share of the observed trials counted as good (hyperopt's 0.25).
        package var gamma = 0.25
        /// The prior kernel's weight against one observation's.
        package var priorWeight = 1.0

        package init(startupTrials: Int = 10, candidates: Int = 24, gamma: Double = 0.25) {
            self.startupTrials = startupTrials
            self.candidates = candidates
            self.gamma = gamma
        }
    }

    package let space: SearchSpace
    package let seed: UInt64
    package let settings: Settings

    package init(space: SearchSpace, seed: UInt64, settings: Settings = Settings()) {
        self.space = space
        self.seed = seed
        self.settings = settings
    }

    /// The settings of trial `number` given what the trials before it observed.
    package func suggest(number: Int, observations: [Observation]) -> [SweepKey: Double] {
        // One stream per trial, so a trial's draws do not depend on how many came before.
        var generator = SeededGenerator(seed: self.seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(number + 1))
        // A trial whose score is not a number ranks last.
        let usable = observations.map {
            $0.score.isNaN ? Observation(values: $0.values, depth: 0, score: -.infinity) : $0
        }
        guard usable.count >= max(self.settings.startupTrials, 1) else {
            return self.random(using: &generator)
        }
        let (good, bad) = self.split(usable)
        var values: [SweepKey: Double] = [:]
        for parameter in self.space.parameters {
            values[parameter.key] = self.suggest(parameter, good: good, bad: bad, using: &generator)
        }
        return values
    }

    /// Every setting drawn uniformly (log-uniformly on a log scale).
    package func random(using generator: inout some RandomNumberGenerator) -> [SweepKey: Double] {
        var values: [SweepKey: Double] = [:]
        for parameter in self.space.parameters {
            switch parameter.distribution {
            case .choice(let choices):
                values[parameter.key] = choices[Int.random(in: 0..<choices.count, using: &generator)]
            case .real, .integer:
                let (low, high) = Self.internalRange(parameter.distribution)
                let x = Double.random(in: low...high, using: &generator)
                values[parameter.key] = Self.toExternal(x, parameter.distribution)
            }
        }
        return values
    }

    /// The best ⌈γ·n⌉ trials (deepest first, then by score) and the rest, each oldest first.
    func split(_ observations: [Observation]) -> (good: [Observation], bad: [Observation]) {
        let ranked = observations.indices.sorted { a, b in
            let x = observations[a]
            let y = observations[b]
            if x.depth != y.depth { return x.depth > y.depth }
            if x.score != y.score { return x.score > y.score }
            return a < b
        }
        let count = min(max(Int((self.settings.gamma * Double(observations.count)).rounded(.up)), 1), 25)
        let goodIndices = Set(ranked.prefix(count))
        let good = observations.indices.filter { goodIndices.contains($0) }.map { observations[$0] }
        let bad = observations.indices.filter { !goodIndices.contains($0) }.map { observations[$0] }
        return (good, bad)
    }

    private func suggest(
        _ parameter: SearchParameter,
        good: [Observation],
        bad: [Observation],
        using generator: inout SeededGenerator
    ) -> Double {
        let key = parameter.key
        switch parameter.distribution {
        case .choice(let choices):
            func indices(_ group: [Observation]) -> [Int] {
                group.compactMap { $0.values[key].flatMap { choices.firstIndex(of: $0) } }
            }
            let l = CategoricalEstimator(
                observations: indices(good),
                choices: choices.count,
                priorWeight: self.settings.priorWeight
            )
            let g = CategoricalEstimator(
                observations: indices(bad),
                choices: choices.count,
                priorWeight: self.settings.priorWeight
            )
            var best = (index: 0, ratio: -Double.infinity)
            for _ in 0..<self.settings.candidates {
                let index = l.sample(using: &generator)
                let ratio = l.logDensity(index) - g.logDensity(index)
                if ratio > best.ratio { best = (index, ratio) }
            }
            return choices[best.index]
        case .real, .integer:
            let (low, high) = Self.internalRange(parameter.distribution)
            func points(_ group: [Observation]) -> [Double] {
                group.compactMap { $0.values[key].map { Self.toInternal($0, parameter.distribution) } }
            }
            let l = ParzenEstimator(
                observations: points(good),
                low: low,
                high: high,
                priorWeight: self.settings.priorWeight
            )
            let g = ParzenEstimator(
                observations: points(bad),
                low: low,
                high: high,
                priorWeight: self.settings.priorWeight
            )
            var best = (
                value: Self.toExternal(l.sample(using: &generator), parameter.distribution), ratio: -Double.infinity
            )
            for _ in 0..<self.settings.candidates {
                // Whole numbers are scored where they round to, so equal candidates score alike.
                let value = Self.toExternal(l.sample(using: &generator), parameter.distribution)
                let x = Self.toInternal(value, parameter.distribution)
                let ratio = l.logDensity(x) - g.logDensity(x)
                if ratio > best.ratio { best = (value, ratio) }
            }
            return best.value
        }
    }

    /// The range in the sampler's internal space: logarithms on a log scale, whole numbers
    /// widened by half a step each side.
    static func internalRange(_ distribution: SearchDistribution) -> (Double, Double) {
        switch distribution {
        case .real(let low, let high, let log): log ? (Foundation.log(low), Foundation.log(high)) : (low, high)
        case .integer(let low, let high, let log):
            log
                ? (Foundation.log(Double(low) - 0.5), Foundation.log(Double(high) + 0.5))
                : (Double(low) - 0.5, Double(high) + 0.5)
        case .choice: (0, 1)
        }
    }

    static func toInternal(_ value: Double, _ distribution: SearchDistribution) -> Double {
        switch distribution {
        case .real(_, _, let log), .integer(_, _, let log): log ? Foundation.log(value) : value
        case .choice: value
        }
    }

    static func toExternal(_ x: Double, _ distribution: SearchDistribution) -> Double {
        switch distribution {
        case .real(let low, let high, let log): min(max(log ? exp(x) : x, low), high)
        case .integer(let low, let high, let log):
            min(max((log ? exp(x) : x).rounded(), Double(low)), Double(high))
        case .choice: x
        }
    }
}
