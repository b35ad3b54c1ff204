import FedSupport

/// The `strategy` section shared by coordinator.yaml and scenario files: how updates are
/// bounded, combined and sent, and how their average moves the global model.
///
///     strategy:
///       clip_norm: 5.0              # L2 bound on each site's update
///       server_learning_rate: 1.0   # η
///       optimizer: fedadam          # fedavg (default), fedavgm, fedadam, fedyogi, fedadagrad
///       momentum: 0.9               # fedavgm
///       beta1: 0.9                  # fedadam, fedyogi
///       beta2: 0.99                 # fedadam, fedyogi, fedadagrad
///       tau: 1e-9                   # fedadam, fedyogi, fedadagrad
///       aggregation: median         # mean (default), median, trimmed_mean, krum, multi_krum, norm_bounding
///       trim_fraction: 0.1          # trimmed_mean: β
///       byzantine_sites: 2          # krum, multi_krum: f
///       krum_selected: 5            # multi_krum: m
///       norm_bound_multiple: 1.0    # norm_bounding: × the round's median update norm
///       compression: int8           # none (default), fp16, bf16, int8, topk
///       topk_fraction: 0.01         # topk
package struct StrategySettings: Sendable, Equatable, Decodable {
    /// L2 bound on each site's update over all its tensors.
    package var clipNorm: Float?
    /// Multiplier of the averaged update when applied to the global model (η).
    package var serverLearningRate: Float?
    package var optimizer: String?
    package var momentum: Double?
    package var beta1: Double?
    package var beta2: Double?
    package var tau: Double?
    package var aggregation: String?
    package var trimFraction: Double?
    package var byzantineSites: Int?
    package var krumSelected: Int?
    package var normBoundMultiple: Double?
    package var compression: String?
    package var topkFraction: Double?

    package init(clipNorm: Float? = nil, serverLearningRate: Float? = nil) {
        self.clipNorm = clipNorm
        self.serverLearningRate = serverLearningRate
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case optimizer, momentum, beta1, beta2, tau, aggregation, compression
        case clipNorm = "clip_norm"
        case serverLearningRate = "server_learning_rate"
        case trimFraction = "trim_fraction"
        case byzantineSites = "byzantine_sites"
        case krumSelected = "krum_selected"
        case normBoundMultiple = "norm_bound_multiple"
        case topkFraction = "topk_fraction"
    }

    /// What a YAML file may hold under `strategy`.
    package static let shape = YAMLShape.values(CodingKeys.allCases.map(\.rawValue))
}

/// What the `strategy` section resolves to: the server optimizer, the robust rule (nil for
/// FedAvg's mean) and how sites compress their updates.
package struct Strategy: Sendable, Equatable {
    package var optimizer: ServerOptimizerSettings
    package var robust: RobustRule?
    package var compression: UpdateCompression

    package init(
        optimizer: ServerOptimizerSettings = .defaults(.fedavg),
        robust: RobustRule? = nil,
        compression: UpdateCompression = .none
    ) {
        self.optimizer = optimizer
        self.robust = robust
        self.compression = compression
    }
}

extension Strategy {
    /// Why this strategy cannot run beside `privacy` or `secure_aggregation` (or secure
    /// aggregation without a clip norm), as a sentence; nil when it can.
    package func conflict(privacy: Bool, secureAggregation: Bool, clipNorm: Bool) -> String? {
        if let rule = self.robust, privacy || secureAggregation {
            return "strategy.aggregation \(rule.settingName) needs every update in the clear: it cannot be used with "
                + (privacy ? "privacy (DP-FedAvg's guarantee is for the noised mean)" : "secure_aggregation")
                + "; use aggregation: mean"
        }
        if self.compression != .none, secureAggregation {
            return "strategy.compression \(self.compression.name) cannot be used with secure_aggregation, which "
                + "quantises updates its own way; leave compression out"
        }
        if secureAggregation, !clipNorm {
            return "secure_aggregation needs a clip norm (strategy.clip_norm, or privacy.clip_norm): sites clip "
                + "their own updates, which the coordinator never sees"
        }
        return nil
    }
}

/// A `strategy` section that cannot run, told with its key and the allowed values.
package enum StrategyError: Error, Equatable, CustomStringConvertible {
    case unknownOptimizer(String)
    case optimizer(ServerOptimizerError)
    case robust(RobustRuleError)
    case compression(UpdateCompressionError)

    package var description: String {
        switch self {
        case .unknownOptimizer(let name):
            "strategy.optimizer must be one of \(ServerOptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")), "
                + "not '\(name.prefix(40))'"
        case .optimizer(let error): "\(error)"
        case .robust(let error): "\(error)"
        case .compression(let error): "\(error)"
        }
    }
}

extension StrategySettings {
    /// The strategy these keys name, every value checked.
    package func resolve() throws(StrategyError) -> Strategy {
        let name = self.optimizer ?? "fedavg"
        guard let kind = ServerOptimizerKind(rawValue: name) else { throw .unknownOptimizer(name) }
        var optimizer = ServerOptimizerSettings.defaults(kind)
        // Through its decimal text, so 0.1 stays 0.1 rather than float32's 0.100000001…
        if let rate = self.serverLearningRate { optimizer.learningRate = Double("\(rate)") ?? Double(rate) }
        optimizer.momentum = self.momentum ?? optimizer.momentum
        optimizer.beta1 = self.beta1 ?? optimizer.beta1
        optimizer.beta2 = self.beta2 ?? optimizer.beta2
        optimizer.tau = self.tau ?? optimizer.tau
        // A key the kind does not use is refused by validate (its default is nil there).
        do throws(ServerOptimizerError) {
            try optimizer.validate()
        } catch {
            throw .optimizer(error)
        }
        let robust: RobustRule?
        do throws(RobustRuleError) {
            robust = try RobustRule.fromSettings(
                aggregation: self.aggregation, trimFraction: self.trimFraction, byzantineSites: self.byzantineSites,
                krumSelected: self.krumSelected, normBoundMultiple: self.normBoundMultiple)
        } catch {
            throw .robust(error)
        }
        let compression: UpdateCompression
        do throws(UpdateCompressionError) {
            compression = try UpdateCompression(name: self.compression, topKFraction: self.topkFraction)
        } catch {
            throw .compression(error)
        }
        return Strategy(optimizer: optimizer, robust: robust, compression: compression)
    }
}
