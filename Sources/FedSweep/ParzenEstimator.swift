import Foundation

/// A one-dimensional Parzen estimator as TPE builds it (Bergstra et al. 2011; Optuna's
/// `_ParzenEstimator`): one Gaussian kernel per observation, truncated to the range, plus a
/// wide prior kernel at the range's middle, so a density never vanishes where nothing was tried.
///
/// Values live in the sampler's internal space: the logarithm for log-scale settings, and
/// whole numbers widened by half a step on each side so the end values are as likely as the rest.
struct ParzenEstimator: Sendable {
    let low: Double
    let high: Double
    private(set) var means: [Double] = []
    private(set) var sigmas: [Double] = []
    private(set) var weights: [Double] = []

    /// Kernels at `observations` (oldest first) and the prior; bandwidths from the distance to
    /// the neighbouring kernels, clipped as hyperopt's "magic clip" does.
    init(observations: [Double], low: Double, high: Double, priorWeight: Double = 1) {
        self.low = low
        self.high = high
        let width = high - low
        let prior = (low + high) / 2
        let means = observations + [prior]
        let order = means.indices.sorted { means[$0] < means[$1] }
        var sigmas = [Double](repeating: width, count: means.count)
        let minimum = width / min(100, Double(1 + means.count))
        for (rank, index) in order.enumerated() {
            let left = rank == 0 ? means[index] - low : means[index] - means[order[rank - 1]]
            let right = rank == order.count - 1 ? high - means[index] : means[order[rank + 1]] - means[index]
            sigmas[index] = min(max(max(left, right), minimum), width)
        }
        sigmas[means.count - 1] = width
        self.means = means
        self.sigmas = sigmas
        let weights = Self.observationWeights(observations.count) + [priorWeight]
        let total = weights.reduce(0, +)
        self.weights = weights.map { $0 / total }
    }

    /// Optuna's default weights: equal for the last 25 observations, older ones fading linearly.
    static func observationWeights(_ count: Int) -> [Double] {
        guard count >= 25 else { return [Double](repeating: 1, count: count) }
        let ramp = count - 25
        return (0..<ramp).map { 1 / Double(count) + (1 - 1 / Double(count)) * Double($0) / Double(max(ramp - 1, 1)) }
            + [Double](repeating: 1, count: 25)
    }

    /// A draw: a kernel by weight, then a value from its Gaussian within the range.
    func sample(using generator: inout some RandomNumberGenerator) -> Double {
        var pick = Double.random(in: 0..<1, using: &generator)
        var kernel = self.weights.count - 1
        for (index, weight) in self.weights.enumerated() {
            if pick < weight {
                kernel = index
                break
            }
            pick -= weight
        }
        // Rejection from the truncated Gaussian; a kernel far outside the range is clamped.
        for _ in 0..<64 {
            let value = self.means[kernel] + self.sigmas[kernel] * Self.standardNormal(using: &generator)
            if value >= self.low, value <= self.high { return value }
        }
        return min(max(self.means[kernel], self.low), self.high)
    }

    /// log p(x) of the mixture of truncated Gaussians.
    func logDensity(_ x: Double) -> Double {
        var terms: [Double] = []
        terms.reserveCapacity(self.means.count)
        for index in self.means.indices {
            let mean = self.means[index]
            let sigma = self.sigmas[index]
            let mass = Self.cdf((self.high - mean) / sigma) - Self.cdf((self.low - mean) / sigma)
            let z = (x - mean) / sigma
            let log =
                -0.5 * z * z - Foundation.log(sigma * (2 * Double.pi).squareRoot()) - Foundation.log(max(mass, 1e-300))
            terms.append(Foundation.log(self.weights[index]) + log)
        }
        return Self.logSumExp(terms)
    }

    static func cdf(_ z: Double) -> Double { 0.5 * (1 + erf(z / 2.0.squareRoot())) }

    static func logSumExp(_ terms: [Double]) -> Double {
        guard let top = terms.max(), top.isFinite else { return -.infinity }
        return top + Foundation.log(terms.reduce(0) { $0 + exp($1 - top) })
    }

    /// A standard normal draw (Box–Muller).
    static func standardNormal(using generator: inout some RandomNumberGenerator) -> Double {
        let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator)
        let v = Double.random(in: 0..<1, using: &generator)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

/// TPE's estimator of a choice: each observation puts its weight on its choice, smoothed by
/// a prior spread evenly (Optuna's categorical kernels: 1/k of the prior weight per choice).
struct CategoricalEstimator: Sendable {
    private(set) var probabilities: [Double]

    init(observations: [Int], choices: Int, priorWeight: Double = 1) {
        let weights = ParzenEstimator.observationWeights(observations.count)
        var mass = [Double](repeating: priorWeight / Double(choices), count: choices)
        for (observation, weight) in zip(observations, weights) { mass[observation] += weight }
        let total = mass.reduce(0, +)
        self.probabilities = mass.map { $0 / total }
    }

    func sample(using generator: inout some RandomNumberGenerator) -> Int {
        var pick = Double.random(in: 0..<1, using: &generator)
        for (index, probability) in self.probabilities.enumerated() {
            if pick < probability { return index }
            pick -= probability
        }
        return self.probabilities.count - 1
    }

    func logDensity(_ index: Int) -> Double { log(self.probabilities[index]) }
}
