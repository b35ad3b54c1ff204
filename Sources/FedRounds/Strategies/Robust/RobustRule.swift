/// How a round's updates are combined when some sites may be broken or hostile. Each rule
/// needs every update of the round at once (kept in an `UpdateStore`), unlike FedAvg's running
/// sum. Rows are the sites' updates after the validator (finite values only) and after the
/// caller's clipping (`strategy.clip_norm`), if any.
package enum RobustRule: Sendable, Equatable, Codable {
    /// Coordinate-wise median, unweighted (Yin et al. 2018, "Byzantine-Robust Distributed
    /// Learning: Towards Optimal Statistical Rates"); with an even count, the mean of the two
    /// middle values.
    case median
    /// Coordinate-wise β-trimmed mean, unweighted (Yin et al. 2018): per coordinate the
    /// t = ⌊β·n⌋ largest and t smallest values are dropped and the n − 2t others averaged.
    case trimmedMean(beta: Double)
    /// Krum (Blanchard et al. 2017, "Machine Learning with Adversaries: Byzantine Tolerant
    /// Gradient Descent"): the one update whose summed squared distance to its n − f − 2 nearest
    /// other updates is smallest, for at most f hostile sites; needs n ≥ 2f + 3.
    case krum(f: Int)
    /// Multi-Krum (Blanchard et al. 2017): the example-weighted average of the m updates with
    /// the best Krum scores (scored once, as in the paper and Flower's `aggregate_krum`);
    /// needs n ≥ 2f + 3 and m ≤ n − f.
    case multiKrum(f: Int, m: Int)
    /// Norm bounding (Sun et al. 2019, "Can You Really Backdoor Federated Learning?"): every
    /// update longer than the bound is scaled down to it, then the example-weighted average is
    /// taken. The bound is `multiple` × the median L2 norm of the round's updates: a fixed
    /// bound is already `strategy.clip_norm`, and one relative to the round follows the
    /// updates' scale as training converges, while a minority of hostile sites cannot move
    /// the median.
    case normBounding(multiple: Double)

    /// The value of `strategy.aggregation` that names this rule.
    package var settingName: String {
        switch self {
        case .median: "median"
        case .trimmedMean: "trimmed_mean"
        case .krum: "krum"
        case .multiKrum: "multi_krum"
        case .normBounding: "norm_bounding"
        }
    }

    /// The rule and its parameters in words, for logs and error messages ("Krum with f = 3").
    package var name: String {
        switch self {
        case .median: "the coordinate-wise median"
        case .trimmedMean(let beta): "the trimmed mean with β = \(beta)"
        case .krum(let f): "Krum with f = \(f)"
        case .multiKrum(let f, let m): "Multi-Krum with f = \(f) and m = \(m)"
        case .normBounding(let multiple): "norm bounding at \(multiple) × the median norm"
        }
    }

    /// Updates the rule needs in a round, at least one.
    package var minimumUpdates: Int {
        switch self {
        case .median, .trimmedMean, .normBounding: 1
        case .krum(let f): 2 * f + 3
        case .multiKrum(let f, let m): max(2 * f + 3, m + f)
        }
    }

    /// Checks the parameters, naming the `strategy` key and its allowed values.
    package func validate() throws(RobustRuleError) {
        switch self {
        case .median:
            break
        case .trimmedMean(let beta):
            guard beta.isFinite, beta >= 0, beta < 0.5 else {
                throw .outOfRange(key: "strategy.trim_fraction", value: "\(beta)", allowed: "at least 0 and below 0.5")
            }
        case .krum(let f):
            try Self.checkByzantine(f)
        case .multiKrum(let f, let m):
            try Self.checkByzantine(f)
            guard m >= 1 else {
                throw .outOfRange(key: "strategy.krum_selected", value: "\(m)", allowed: "an integer of at least 1")
            }
        case .normBounding(let multiple):
            guard multiple.isFinite, multiple > 0 else {
                throw .outOfRange(
                    key: "strategy.norm_bound_multiple",
                    value: "\(multiple)",
                    allowed: "a number above 0 (1 is typical)"
                )
            }
        }
    }

    private static func checkByzantine(_ f: Int) throws(RobustRuleError) {
        guard f >= 0 else {
            throw .outOfRange(key: "strategy.byzantine_sites", value: "\(f)", allowed: "an integer of at least 0")
        }
    }
}
