import FedSupport

/// The `privacy` section of coordinator.yaml and of scenario files, as written:
///
///     privacy:
///       clip_norm: 1.0            # C: each site's update is clipped to this L2 norm
///       noise_multiplier: 1.1     # z: noise σ = z·C on the sum; or leave it out and give
///       target_epsilon: 8         #   the budget: ε never exceeds it (z is calibrated if absent)
///       delta: 1e-5               # δ of the (ε, δ) guarantee
///       sampling: poisson         # poisson (each site with probability sample_rate) or fixed
///       sample_rate: 0.5
///       adaptive_clipping: {target_quantile: 0.5, learning_rate: 0.2}
package struct PrivacySettings: Sendable, Equatable, Decodable {
    package var clipNorm: Double
    package var noiseMultiplier: Double?
    package var targetEpsilon: Double?
    package var delta: Double?
    package var sampling: String?
    package var sampleRate: Double?
    package var adaptiveClipping: AdaptiveClippingSettings?

    package init(clipNorm: Double, noiseMultiplier: Double? = nil, targetEpsilon: Double? = nil) {
        self.clipNorm = clipNorm
        self.noiseMultiplier = noiseMultiplier
        self.targetEpsilon = targetEpsilon
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case delta, sampling
        case clipNorm = "clip_norm"
        case noiseMultiplier = "noise_multiplier"
        case targetEpsilon = "target_epsilon"
        case sampleRate = "sample_rate"
        case adaptiveClipping = "adaptive_clipping"
    }

    /// Andrew et al. (2021)'s settings: the clip norm follows the `target_quantile` of the
    /// update norms, moved geometrically by `learning_rate` each round; `count_stddev` is
    /// the noise on the count of unclipped updates.
    package struct AdaptiveClippingSettings: Sendable, Equatable, Decodable {
        package var targetQuantile: Double?
        package var learningRate: Double?
        package var countStddev: Double?

        package init(targetQuantile: Double? = nil, learningRate: Double? = nil, countStddev: Double? = nil) {
            self.targetQuantile = targetQuantile
            self.learningRate = learningRate
            self.countStddev = countStddev
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case targetQuantile = "target_quantile"
            case learningRate = "learning_rate"
            case countStddev = "count_stddev"
        }
    }

    /// What a YAML file may hold under `privacy`.
    package static let shape = YAMLShape.values(CodingKeys.allCases.map(\.rawValue))
        .adding(["adaptive_clipping": .values(AdaptiveClippingSettings.CodingKeys.allCases.map(\.rawValue))])
}
