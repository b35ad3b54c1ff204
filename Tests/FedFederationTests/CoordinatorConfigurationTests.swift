import FedCoordinator
import FedLearning
import FedRounds
import FedWire
import Foundation
import Testing

struct CoordinatorConfigurationTests {
    static func load(_ yaml: String) throws -> CoordinatorConfiguration {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-config-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("coordinator.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try CoordinatorConfiguration.load(file)
    }

    @Test func readsEveryKeyAndResolvesPathsAgainstTheFile() throws {
        let configuration = try Self.load(
            """
            listen: 127.0.0.1:0
            identity: certs/coordinator
            model: model
            state: /var/lib/fedtune
            rounds: 5
            min_sites: 3
            sample: "0.5"
            quorum: 2
            deadline_seconds: 30
            seed: 9
            strategy: {clip_norm: 2.5, server_learning_rate: 0.5}
            training: {epochs: 2, learning_rate: 0.01}
            allow: [site-a, site-b]
            keep_checkpoints: 3
            max_examples_per_site: 5000
            idle_timeout_seconds: 40
            """
        )

        #expect(configuration.host == "127.0.0.1" && configuration.port == 0)
        #expect(configuration.identity.path.hasSuffix("/certs/coordinator"))
        #expect(configuration.state.path == "/var/lib/fedtune")
        #expect(configuration.policy.rounds == 5 && configuration.policy.quorum == 2 && configuration.policy.seed == 9)
        #expect(configuration.policy.sampleSize == .fraction(0.5))
        #expect(configuration.clipNorm == 2.5 && configuration.serverLearningRate == 0.5)
        #expect(configuration.training.epochs == 2 && configuration.training.learningRate == 0.01)
        #expect(configuration.allowList == ["site-a", "site-b"])
        #expect(configuration.keepCheckpoints == 3)
        #expect(configuration.maxExamplesPerSite == 5000)
        #expect(configuration.limits.idleSeconds == 40 && configuration.limits.pingSeconds == 10)
    }

    static let bad: [(String, String)] = [
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 9\nmin_sites: 1\nkeep_checkpoints: 3\n"
                + "early_stopping: {patience: 2}\n",
            "keep_checkpoints 3 may delete the best round's checkpoint, which early stopping makes the result; "
                + "keep at least early_stopping.patience + 2 = 4"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 9\nmin_sites: 1\nearly_stopping: {patience: 0}\n",
            "early_stopping.patience must be in 1...10000, found 0"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 9\nmin_sites: 1\nearly_stopping: {patience: 2, wait: 1}\n",
            "wait"
        ),
        ("identity: c\nmodel: m\nstate: s\nrounds: 2\n", "missing key 'min_sites'"),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: two\nmin_sites: 1\n",
            "line 4, column 9: expected a whole number for 'rounds', found 'two'"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 2\nquorum: 3\n",
            "quorum must be between 1 and min_sites"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 2\nkeep_checkpoints: 0\n",
            "keep_checkpoints must be at least 1"
        ),
        // What a new user typed: a misspelt key must not train 10 epochs at 0.001 silently.
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 2\ntraining: {epoch: 1, learning_rate: 0.5}\n",
            "line 6, column 12: unknown key 'training.epoch' (known under 'training': batch_size, class_weights, epochs"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nminSites: 2\n",
            "line 5, column 1: 'minSites' is spelt 'min_sites'"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 2\nstrategy: {clip_norm: 5x}\n",
            "line 6, column 23: expected a number for 'strategy.clip_norm', found '5x'"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 2\ntraining:\n  optimizer: {kind: sgd, weightDecay: 1}\n",
            "'training.optimizer.weightDecay' is spelt 'weight_decay'"
        ),
        ("identity: [c\n", "line 2, column 1: not valid YAML"),
        ("identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 1\nlisten: nowhere\n", "listen must be HOST:PORT"),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 1\nstrategy: {clip_norm: -1}\n",
            "clip_norm must be a positive number"
        ),
        // Values a sweep found accepted: each would have written NaN checkpoints or never closed a round.
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 1\nstrategy: {server_learning_rate: .nan}\n",
            "strategy.server_learning_rate must be a number in (0, 100], not nan"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 1\ndeadline_seconds: -5\n",
            "deadline_seconds must be"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 1\ndeadline_seconds: .nan\n",
            "deadline_seconds must be"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 1\ntraining: {epochs: 1000000000}\n",
            "epochs must be in 1...10000, found 1000000000"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 1\ntraining: {warmup_fraction: 1e308}\n",
            "warmup_fraction must be in 0...1"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 1\ntraining: {learning_rate: .nan}\n",
            "learning_rate must be a number in (0, 10]"
        ),
        // A file nested 5,000 deep overflowed the parser's stack; aliases expand exponentially.
        ("identity: " + String(repeating: "[", count: 5_000) + "\n", "line 1: nested more than 64 levels deep"),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 1\nx: &a [1, 1]\ntraining: {seed: *a}\n",
            "line 7: YAML aliases (*name) are not accepted"
        ),
        (
            "identity: c\n" + String(repeating: "  ", count: 0)
                + (1...70).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n"),
            "nested more than 64 levels deep"
        ),
        // Privacy and secure aggregation that cannot run are refused before any site joins.
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nprivacy: {clip_norm: 1, noise_multiplier: 0.3, target_epsilon: 1}\n",
            "privacy: one round with noise_multiplier 0.3 already spends ε = 20.393, above target_epsilon 1.0"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nprivacy: {clip_norm: 1}\n",
            "privacy needs noise_multiplier, target_epsilon or both"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nprivacy: {clip_norm: 1, noise_multiplier: 1, sampling: always}\n",
            "privacy.sampling must be 'poisson' or 'fixed', not 'always'"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nprivacy: {clip_norm: 1, noiseMultiplier: 1}\n",
            "'privacy.noiseMultiplier' is spelt 'noise_multiplier'"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nstrategy: {clip_norm: 2}\nprivacy: {clip_norm: 1, noise_multiplier: 1}\n",
            "strategy.clip_norm (2.0) and privacy.clip_norm (1.0) differ"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nsecure_aggregation: {}\n",
            "secure_aggregation needs a clip norm"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 2\nstrategy: {clip_norm: 1}\nsecure_aggregation: {}\n",
            "secure aggregation needs at least 3 sites per round (min_sites is 2)"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 7\nstrategy: {clip_norm: 1}\nsecure_aggregation: {neighbours: 4, threshold: 2}\n",
            "secure_aggregation.threshold must be a strict majority of the 5 share holders and at most 4: choose 3…4, not 2"
        ),
        // Strategies: an unknown name or a key the chosen one does not use is named with what is allowed.
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nstrategy: {optimizer: fedsgd}\n",
            "strategy.optimizer must be one of fedavg, fedavgm, fedadam, fedyogi, fedadagrad, not 'fedsgd'"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nstrategy: {optimizer: fedadam, momentum: 0.9}\n",
            "strategy.momentum does not apply to the fedadam"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nstrategy: {optimizer: fedadam, beta2: 1.5}\n",
            "strategy.beta2"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nstrategy: {aggregation: krum}\n",
            "strategy.aggregation: krum needs strategy.byzantine_sites"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nstrategy: {aggregation: average}\n",
            "strategy.aggregation is 'average'; use one of mean, median, trimmed_mean, krum, multi_krum, norm_bounding"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nstrategy: {compression: zip}\n",
            "strategy.compression must be one of none, fp16, bf16, int8, topk, not 'zip'"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nstrategy: {aggregation: median}\nprivacy: {clip_norm: 1, noise_multiplier: 1}\n",
            "strategy.aggregation median needs every update in the clear: it cannot be used with privacy"
        ),
        (
            "identity: c\nmodel: m\nstate: s\nrounds: 2\nmin_sites: 3\nstrategy: {clip_norm: 1, compression: int8}\nsecure_aggregation: {}\n",
            "strategy.compression int8 cannot be used with secure_aggregation"
        ),
    ]

    @Test func privacyAndSecureAggregationAreRead() throws {
        let configuration = try Self.load(
            """
            identity: c
            model: m
            state: s
            rounds: 50
            min_sites: 20
            privacy:
              clip_norm: 0.5
              target_epsilon: 4
              sample_rate: 0.25
              adaptive_clipping: {target_quantile: 0.6}
            secure_aggregation: {neighbours: 6}
            """
        )
        let plan = try #require(configuration.privacy)
        #expect(plan.sampling == .poisson(rate: 0.25) && plan.population == 20 && plan.expectedSites == 5)
        #expect(plan.clipNorm == 0.5 && configuration.clipNorm == 0.5 && plan.delta == 1e-5)
        #expect(plan.epsilon(after: 50) <= 4 && plan.epsilon(after: 50) > 3.9, "z calibrated to spend the budget")
        #expect(plan.adaptive?.targetQuantile == 0.6)
        #expect(configuration.secureAggregation == SecureAggregationSettings(neighbours: 6))
    }

    @Test func earlyStoppingIsRead() throws {
        let configuration = try Self.load(
            "identity: c\nmodel: m\nstate: s\nrounds: 9\nmin_sites: 1\nkeep_checkpoints: 5\n"
                + "early_stopping: {patience: 3, min_delta: 0.01}\n")
        #expect(configuration.earlyStopping == EarlyStopping.Settings(patience: 3, minDelta: 0.01))
    }

    @Test(arguments: bad)
    func badConfigurationNamesTheFileAndTheField(yaml: String, message: String) {
        let error = #expect(throws: CoordinatorError.self) { try Self.load(yaml) }

        #expect("\(error!)".contains(message), "\(error!)")
        #expect("\(error!)".contains("coordinator.yaml"))
    }
}
