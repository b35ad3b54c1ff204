/// Why a privacy accounting or calibration was refused; each case says which quantity was
/// out of range, what it must be, and what to do.
package enum PrivacyError: Error, Sendable, Equatable, CustomStringConvertible {
    case sampleRateOutOfRange(Double)
    case invalidNoiseMultiplier(Double)
    case invalidSample(populationSize: Int, sampleSize: Int)
    case deltaOutOfRange(Double)
    case invalidEpsilon(Double)
    case invalidTargetEpsilon(Double)
    case negativeCount(Int)
    case invalidOrders([Double])
    case wrongNeighboringRelation(event: String, needs: NeighboringRelation, accountant: NeighboringRelation)
    case targetUnreachable(targetEpsilon: Double, largestNoiseMultiplier: Double, epsilon: Double)

    package var description: String {
        switch self {
        case .sampleRateOutOfRange(let rate):
            "the sample rate \(rate) is outside [0, 1]: it is the probability that a site takes part in a round"
        case .invalidNoiseMultiplier(let z):
            "the noise multiplier \(z) must be a finite number ≥ 0 (the noise's standard deviation over the "
                + "clipping norm)"
        case .invalidSample(let population, let sample):
            "a sample of \(sample) out of a population of \(population) is impossible: the population must be "
                + "at least 1 and the sample between 0 and the population"
        case .deltaOutOfRange(let delta):
            "δ = \(delta) is outside (0, 1) ---> HINT: take δ well below 1/population, e.g. 1e-5"
        case .invalidEpsilon(let epsilon):
            "ε = \(epsilon) must be a finite number ≥ 0"
        case .invalidTargetEpsilon(let epsilon):
            "the target ε = \(epsilon) must be a finite number above 0"
        case .negativeCount(let count):
            "an event cannot be composed \(count) times: the count must be 0 or more"
        case .invalidOrders(let orders):
            "RDP orders must be finite, above 1 and there must be at least one; got \(orders.prefix(8))"
        case .wrongNeighboringRelation(let event, let needs, let accountant):
            "\(event) is accounted under the \(needs) neighboring relation, but this accountant uses "
                + "\(accountant) ---> HINT: make the accountant with RDPAccountant(relation: .\(needs))"
        case .targetUnreachable(let target, let largest, let epsilon):
            "no noise multiplier up to \(largest < 1e15 ? "\(Int(largest))" : "\(largest)") brings ε down to "
                + "\(target) (there ε = \(epsilon)) ---> HINT: allow a larger ε, fewer rounds or a lower sample rate"
        }
    }
}
