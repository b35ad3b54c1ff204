import FedCoordinator
import FedLearning
import FedRounds
import FedTLS
import FedTensor
import Foundation

/// `fedtune check FILE`: reads a coordinator.yaml or a scenario as the coordinator or
/// `simulate` would, runs the checks they make at start (for a coordinator: its identity
/// for the hosts sites dial, the model folder, the state folder's history), and prints
/// the effective settings with every default filled in. Nothing is written.
package enum SettingsCheck {
    package static func run(_ url: URL) throws -> String {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        let isCoordinator = text.split(separator: "\n").contains {
            $0.hasPrefix("min_sites:") || $0.hasPrefix("identity:")
        }
        return isCoordinator ? try self.coordinator(url) : try self.scenario(url)
    }

    private static func coordinator(_ url: URL) throws -> String {
        let configuration = try CoordinatorConfiguration.load(url)
        let identity = try Identity(directory: configuration.identity)
        try identity.check(role: .coordinator(hosts: configuration.hosts), folder: configuration.identity)
        let model = try AnyClassifier.load(configuration.model)
        let state = StateFolder(configuration.state)
        try state.checkHistory()
        let finished = try state.records().map(\.round).max() ?? 0
        let policy = configuration.policy
        let trainable = model.parameters.entries.filter(\.travels)
        let values = trainable.reduce(0) { $0 + $1.value.count }
        let modelLine =
            "model: \(configuration.model.path)   # \(Self.kind(model)), \(trainable.count) trainable tensors, \(values) trainable values"
        let stateLine =
            "state: \(configuration.state.path)   # " + (finished == 0 ? "fresh" : "resumes after round \(finished)")
        let hostsLine = "hosts: [\(configuration.hosts.joined(separator: ", "))]"
        var lines: [String] = [
            "# \(url.path): a valid coordinator configuration",
            "listen: \(configuration.host):\(configuration.port)",
            hostsLine,
            "identity: \(configuration.identity.path)",
            modelLine,
            stateLine,
            "keep_checkpoints: \(configuration.keepCheckpoints.map(String.init) ?? "all")",
            "rounds: \(policy.rounds)",
            "min_sites: \(policy.minSites)",
            "sample: \(Self.describe(policy.sampleSize))",
            "quorum: \(policy.quorum)",
            "deadline_seconds: \(Self.number(policy.deadlineSeconds))",
            "max_retries: \(policy.maxRetries)",
            "seed: \(policy.seed)",
            "strategy:",
            "  clip_norm: \(configuration.clipNorm.map { Self.number(Double($0)) } ?? "none")",
            "  server_learning_rate: \(Self.number(Double(configuration.serverLearningRate)))",
        ]
        lines += Self.strategy(configuration.strategy)
        lines += Self.privacy(configuration.privacy, secure: configuration.secureAggregation)
        if let early = configuration.earlyStopping {
            lines.append("early_stopping: {patience: \(early.patience), min_delta: \(Self.number(early.minDelta))}")
        }
        lines.append("training:")
        lines += try Self.training(configuration.training)
        lines.append(
            "allow: "
                + (configuration.allowList.map { "[\($0.sorted().joined(separator: ", "))]" }
                    ?? "every site the CA vouches for")
        )
        return lines.joined(separator: "\n")
    }

    private static func scenario(_ url: URL) throws -> String {
        let scenario = try Scenario.load(url)
        var lines = [
            "# \(url.path): a valid scenario",
            "name: \(scenario.name)",
            "seed: \(scenario.seed)",
            "model: \(scenario.model ?? "pretrained here (\(scenario.pretrain?.architecture ?? "none"))")",
            "sites: \(scenario.sites)",
            "partition: \(scenario.partition)",
            "rounds: \(scenario.rounds)",
            "sample: \(Self.describe(scenario.sample))",
            "clip_norm: \(scenario.clipNorm.map { Self.number(Double($0)) } ?? "none")",
            "strategy:",
        ]
        lines += Self.strategy(scenario.strategy)
        lines += Self.privacy(try scenario.privacyPlan(sites: Swift.max(scenario.sites, 1)), secure: scenario.secureAggregation)
        lines += [
            "test_fraction: \(Self.number(scenario.testFraction))",
            "site_test_fraction: \(Self.number(scenario.siteTestFraction))",
            "local:",
        ]
        lines += try Self.training(scenario.local)
        return lines.joined(separator: "\n")
    }

    /// The training settings as coordinator.yaml spells them, defaults included.
    private static func training(_ training: TrainingConfiguration) throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try JSONSerialization.jsonObject(with: encoder.encode(training)) as? [String: Any] ?? [:]
        return Self.yaml(object, indent: "  ")
    }

    private static func yaml(_ object: [String: Any], indent: String) -> [String] {
        object.keys.sorted().flatMap { key -> [String] in
            switch object[key] {
            case let nested as [String: Any]: ["\(indent)\(key):"] + Self.yaml(nested, indent: indent + "  ")
            case let number as NSNumber where !(object[key] is Bool):
                ["\(indent)\(key): \(Self.number(number.doubleValue))"]
            case let array as [Any]: ["\(indent)\(key): [\(array.map { "\($0)" }.joined(separator: ", "))]"]
            case let value?: ["\(indent)\(key): \(value)"]
            case nil: []
            }
        }
    }

    private static func kind(_ model: AnyClassifier) -> String {
        switch model {
        case .tabular(let model): "a tabular model of \(model.architecture.featureNames.count) features"
        case .text: "a text model"
        case .image(let model):
            "an image model (\(model.architecture.inputSize)×\(model.architecture.inputSize) input, \(model.architecture.fineTuning.mode.rawValue))"
        }
    }

    /// The resolved strategy, every default written out.
    private static func strategy(_ strategy: Strategy) -> [String] {
        let o = strategy.optimizer
        var lines = ["  optimizer: \(o.kind.rawValue)   # η = \(Self.number(o.learningRate))"]
        let hyper = [("momentum", o.momentum), ("beta1", o.beta1), ("beta2", o.beta2), ("tau", o.tau)]
        for (key, value) in hyper { if let value { lines.append("  \(key): \(Self.number(value))") } }
        lines.append("  aggregation: \(strategy.robust.map { "\($0.settingName)   # \($0.name)" } ?? "mean")")
        lines.append("  compression: \(strategy.compression.name)")
        if case .topK(let fraction) = strategy.compression { lines.append("  topk_fraction: \(Self.number(fraction))") }
        return lines
    }

    /// DP-FedAvg's plan and secure aggregation, when set.
    private static func privacy(_ plan: DifferentialPrivacy?, secure: SecureAggregationSettings?) -> [String] {
        var lines: [String] = []
        if let plan {
            let sampling: String =
                switch plan.sampling {
                case .poisson(let rate): "poisson   # q = \(Self.number(rate))"
                case .fixed(let count): "fixed   # \(count) of \(plan.population) sites"
                }
            lines += [
                "privacy:",
                "  clip_norm: \(Self.number(plan.clipNorm))",
                "  noise_multiplier: \(Self.number(plan.noiseMultiplier))",
                "  delta: \(plan.delta)",
                "  target_epsilon: \(plan.targetEpsilon.map(Self.number) ?? "none")",
                "  sampling: \(sampling)",
            ]
        }
        if let secure {
            lines.append(
                "secure_aggregation: {neighbours: \(secure.neighbours.map(String.init) ?? "all, up to 8 sites"), "
                    + "threshold: \(secure.threshold.map(String.init) ?? "a strict majority")}")
        }
        return lines
    }

    private static func describe(_ size: SampleSize) -> String {
        switch size {
        case .all: "all"
        case .count(let count): "\(count)"
        case .fraction(let fraction): Self.number(fraction)
        case .poisson(let rate): "each site with probability \(Self.number(rate))"
        }
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
