/// Which server optimizer moves the global model by the round's averaged update Δ (Reddi et
/// al. 2021, "Adaptive Federated Optimization"; FedAvgM: Hsu et al. 2019), named as Flower
/// names its strategies.
package enum ServerOptimizerKind: String, Sendable, Codable, CaseIterable {
    /// x ← x + η·Δ.
    case fedavg
    /// Server momentum: m ← β·m + Δ (m = Δ on the first step), x ← x + η·m.
    case fedavgm
    /// Adam on Δ with Flower's bias-corrected step size.
    case fedadam
    /// Yogi on Δ: v moves towards Δ² additively, by the sign of v − Δ².
    case fedyogi
    /// Adagrad on Δ: v ← v + Δ².
    case fedadagrad

    /// Whether the optimizer keeps a first moment m and a second moment v.
    package var isAdaptive: Bool { self == .fedadam || self == .fedyogi || self == .fedadagrad }
}

/// The server optimizer's hyperparameters, as coordinator.yaml's `strategy` section spells
/// them. A value left nil takes the kind's default (`defaults(_:)`, Flower 1.42's).
///
/// Flower 1.42's defaults, and Reddi et al.'s recommendations where they differ:
///
/// | kind | η (`server_learning_rate`) | β (`momentum`) | β₁ | β₂ | τ |
/// | --- | --- | --- | --- | --- | --- |
/// | fedavg | 1 | | | | |
/// | fedavgm | 1 | 0 (Hsu et al.: 0.9, with η = 1 − β) | | | |
/// | fedadam | 0.1 | | 0.9 | 0.99 | 1e-9 (Reddi et al.: 1e-3) |
/// | fedyogi | 0.01 | | 0.9 | 0.99 | 1e-3 |
/// | fedadagrad | 0.1 | | 0 (fixed in Flower) | | 1e-9 (Reddi et al.: 1e-3) |
///
/// Reddi et al. fix β₁ = 0.9 and β₂ = 0.99 for their adaptive optimizers, recommend
/// τ = 1e-3 (results change little over a wide range of τ) and tune η and the clients'
/// learning rate on grids of powers of ten; their FedAvgM uses β = 0.9. Flower's `eta_l`
/// (the clients' learning rate) is no server setting in fedtune: it is the local
/// training's `learning_rate`.
package struct ServerOptimizerSettings: Sendable, Equatable, Codable {
    package var kind: ServerOptimizerKind
    /// η, the server learning rate (`strategy.server_learning_rate`).
    package var learningRate: Double
    /// fedavgm's β (Flower's `server_momentum`, `strategy.momentum`).
    package var momentum: Double?
    /// The first moment's decay (fedadam, fedyogi, fedadagrad; Flower's `beta_1`).
    package var beta1: Double?
    /// The second moment's decay (fedadam, fedyogi; Flower's `beta_2`).
    package var beta2: Double?
    /// The adaptivity τ added to √v (fedadam, fedyogi, fedadagrad).
    package var tau: Double?

    package init(
        kind: ServerOptimizerKind,
        learningRate: Double,
        momentum: Double? = nil,
        beta1: Double? = nil,
        beta2: Double? = nil,
        tau: Double? = nil
    ) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.tau = tau
    }

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, momentum, beta1, beta2, tau
        case learningRate = "server_learning_rate"
    }

    /// Flower 1.42's defaults for `kind` (its constructors' keyword defaults).
    package static func defaults(_ kind: ServerOptimizerKind) -> ServerOptimizerSettings {
        switch kind {
        case .fedavg: ServerOptimizerSettings(kind: .fedavg, learningRate: 1)
        case .fedavgm: ServerOptimizerSettings(kind: .fedavgm, learningRate: 1, momentum: 0)
        case .fedadam: ServerOptimizerSettings(kind: .fedadam, learningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-9)
        case .fedyogi: ServerOptimizerSettings(kind: .fedyogi, learningRate: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3)
        case .fedadagrad: ServerOptimizerSettings(kind: .fedadagrad, learningRate: 0.1, beta1: 0, tau: 1e-9)
        }
    }

    /// These settings with every hyperparameter the kind uses filled in (its default where
    /// nil), and those it does not use left nil.
    package var resolved: ServerOptimizerSettings {
        let base = Self.defaults(self.kind)
        return ServerOptimizerSettings(
            kind: self.kind,
            learningRate: self.learningRate,
            momentum: base.momentum.map { self.momentum ?? $0 },
            beta1: base.beta1.map { self.beta1 ?? $0 },
            beta2: base.beta2.map { self.beta2 ?? $0 },
            tau: base.tau.map { self.tau ?? $0 }
        )
    }

    /// The allowed ranges, as the errors state them.
    package enum Limits {
        package static let learningRate = "a number in (0, 100]"
        package static let decay = "a number in [0, 1)"
        package static let tau = "a number in (0, 1]"
    }

    /// Refuses every value out of its range, and a hyperparameter the kind does not use,
    /// naming its YAML key (`strategy.…`) and the allowed range.
    package func validate() throws(ServerOptimizerError) {
        func check(_ ok: Bool, _ key: String, _ value: Double, _ expected: String) throws(ServerOptimizerError) {
            if !ok { throw .invalid(key: "strategy.\(key)", value: value, expected: expected) }
        }
        try check(
            self.learningRate.isFinite && self.learningRate > 0 && self.learningRate <= 100,
            "server_learning_rate",
            self.learningRate,
            Limits.learningRate
        )
        let base = Self.defaults(self.kind)
        let given: [(String, Double?, Double?)] = [
            ("momentum", self.momentum, base.momentum), ("beta1", self.beta1, base.beta1),
            ("beta2", self.beta2, base.beta2), ("tau", self.tau, base.tau),
        ]
        for (key, value, usedBy) in given {
            guard let value else { continue }
            if usedBy == nil { throw .doesNotApply(key: "strategy.\(key)", kind: self.kind) }
            if key == "tau" {
                try check(value.isFinite && value > 0 && value <= 1, key, value, Limits.tau)
            } else {
                try check(value >= 0 && value < 1, key, value, Limits.decay)
            }
        }
    }
}
