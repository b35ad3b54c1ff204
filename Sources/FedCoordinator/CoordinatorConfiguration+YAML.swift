import FedLearning
import FedObserve
import FedRounds
import FedSupport
import FedTensor
import FedWire
import Foundation
import Yams

extension CoordinatorConfiguration {
    /// The shape of coordinator.yaml (snake_case keys; paths relative to the file).
    private struct File: Decodable {
        var listen: String?
        var identity: String
        var model: String
        var state: String
        var rounds: Int
        var minSites: Int
        var sample: String?
        var quorum: Int?
        var deadlineSeconds: Double?
        var maxRetries: Int?
        var seed: UInt64?
        var strategy: StrategySettings?
        var privacy: PrivacySettings?
        var secureAggregation: SecureAggregationSettings?
        var training: TrainingConfiguration?
        var allow: [String]?
        var hosts: [String]?
        var crl: String?
        var keepCheckpoints: Int?
        var maxExamplesPerSite: Int?
        var helloTimeoutSeconds: Double?
        var idleTimeoutSeconds: Double?
        var maxConnections: Int?
        var maxPendingConnections: Int?
        var metrics: Metrics?
        var earlyStopping: EarlyStopping.Settings?

        /// `metrics: {listen: HOST:PORT}`.
        struct Metrics: Decodable {
            var listen: String
            static let shape = YAMLShape.values(["listen"])
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case listen, identity, model, state, rounds, sample, quorum, seed, strategy, privacy, training, allow, hosts
            case crl, metrics
            case secureAggregation = "secure_aggregation"
            case earlyStopping = "early_stopping"
            case minSites = "min_sites"
            case deadlineSeconds = "deadline_seconds"
            case maxRetries = "max_retries"
            case keepCheckpoints = "keep_checkpoints"
            case maxExamplesPerSite = "max_examples_per_site"
            case helloTimeoutSeconds = "hello_timeout_seconds"
            case idleTimeoutSeconds = "idle_timeout_seconds"
            case maxConnections = "max_connections"
            case maxPendingConnections = "max_pending_connections"
        }
    }

    /// Every key coordinator.yaml may hold.
    static let shape: YAMLShape = YAMLShape.values(File.CodingKeys.allCases.map(\.rawValue))
        .adding([
            "strategy": StrategySettings.shape, "training": TrainingConfiguration.shape,
            "privacy": PrivacySettings.shape, "secure_aggregation": SecureAggregationSettings.shape,
            "metrics": File.Metrics.shape, "early_stopping": YAMLShape.values(EarlyStopping.Settings.keys),
        ])

    /// Reads coordinator.yaml; every problem names the file, the line and the key.
    package static func load(_ url: URL) throws -> CoordinatorConfiguration {
        let file: File
        do throws(YAMLProblem) {
            let document = try YAMLDocument(contentsOf: url)
            try document.check(Self.shape)
            file = try document.decode(File.self)
        } catch {
            throw CoordinatorError.invalidConfiguration(error.description)
        }
        return try self.init(file: file, folder: url.deletingLastPathComponent(), path: url.path)
    }

    private init(file: File, folder: URL, path: String) throws {
        func resolve(_ value: String) -> URL {
            value.hasPrefix("/") ? URL(fileURLWithPath: value) : folder.appendingPathComponent(value)
        }
        func invalid(_ detail: String) -> CoordinatorError { .invalidConfiguration("\(path): \(detail)") }
        guard (1...1_000_000).contains(file.rounds) else { throw invalid("rounds must be in 1...1000000") }
        guard (1...100_000).contains(file.minSites) else { throw invalid("min_sites must be in 1...100000") }
        if let deadline = file.deadlineSeconds, !(deadline.isFinite && deadline > 0 && deadline <= 604_800) {
            throw invalid("deadline_seconds must be a number of seconds in (0, 604800] (a week), not \(deadline)")
        }
        if let retries = file.maxRetries, !(0...1_000).contains(retries) {
            throw invalid("max_retries must be in 0...1000, not \(retries)")
        }
        var policy = RoundPolicy(
            rounds: file.rounds,
            minSites: file.minSites,
            quorum: file.quorum,
            deadlineSeconds: file.deadlineSeconds ?? 600
        )
        guard policy.quorum >= 1, policy.quorum <= file.minSites else {
            throw invalid("quorum must be between 1 and min_sites (\(file.minSites))")
        }
        policy.maxRetries = file.maxRetries ?? policy.maxRetries
        policy.seed = file.seed ?? 0
        if let sample = file.sample {
            if sample == "all" {
                policy.sampleSize = .all
            } else if let count = Int(sample), count >= 1 {
                policy.sampleSize = .count(count)
            } else if let fraction = Double(sample), fraction > 0, fraction <= 1 {
                policy.sampleSize = .fraction(fraction)
            } else {
                throw invalid("sample must be 'all', a count ≥ 1 or a fraction in (0, 1], not '\(sample)'")
            }
        }
        self.init(
            identity: resolve(file.identity),
            model: resolve(file.model),
            state: resolve(file.state),
            policy: policy
        )
        if let keep = file.keepCheckpoints {
            guard keep >= 1 else {
                throw invalid("keep_checkpoints must be at least 1 (the newest is needed to resume)")
            }
            self.keepCheckpoints = keep
        }
        if let bound = file.maxExamplesPerSite {
            guard bound >= 1 else { throw invalid("max_examples_per_site must be at least 1, not \(bound)") }
            self.maxExamplesPerSite = bound
        }
        if let seconds = file.helloTimeoutSeconds {
            guard seconds.isFinite, seconds > 0, seconds <= 3_600 else {
                throw invalid("hello_timeout_seconds must be in (0, 3600], not \(seconds)")
            }
            self.connections.helloSeconds = seconds
        }
        if let seconds = file.idleTimeoutSeconds {
            guard seconds.isFinite, seconds >= 4, seconds <= 86_400 else {
                throw invalid("idle_timeout_seconds must be in 4...86400, not \(seconds)")
            }
            // The coordinator pings four times per idle time, so a live site never looks idle.
            self.limits.idleSeconds = seconds
            self.limits.pingSeconds = Swift.min(30, seconds / 4)
        }
        if let maximum = file.maxConnections {
            guard (1...1_000_000).contains(maximum) else { throw invalid("max_connections must be in 1...1000000") }
            self.connections.maximum = maximum
        }
        if let pending = file.maxPendingConnections {
            guard (1...100_000).contains(pending) else {
                throw invalid("max_pending_connections must be in 1...100000")
            }
            self.connections.maximumPending = pending
        }
        if let listen = file.listen {
            let parts = listen.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else {
                throw invalid("listen must be HOST:PORT, not '\(listen)'")
            }
            self.host = String(parts[0])
            self.port = port
        }
        if let metrics = file.metrics {
            do throws(ObserveError) {
                let (host, port) = try ObserveError.parse(address: metrics.listen, setting: "metrics.listen in \(path)")
                self.metrics = MetricsListen(host: host, port: port)
            } catch {
                throw invalid("metrics.listen must be HOST:PORT with a port in 0...65535, not '\(metrics.listen)'")
            }
        }
        if let clip = file.strategy?.clipNorm {
            guard clip.isFinite, clip > 0 else {
                throw invalid("strategy.clip_norm must be a positive number, not \(clip)")
            }
            self.clipNorm = clip
        }
        self.serverLearningRate = file.strategy?.serverLearningRate ?? 1
        guard self.serverLearningRate.isFinite, self.serverLearningRate > 0, self.serverLearningRate <= 100 else {
            throw invalid("strategy.server_learning_rate must be a number in (0, 100], not \(self.serverLearningRate)")
        }
        do throws(StrategyError) {
            self.strategy = try (file.strategy ?? StrategySettings()).resolve()
            self.serverLearningRate = Float(self.strategy.optimizer.learningRate)
        } catch {
            throw invalid(error.description)
        }
        if let privacy = file.privacy {
            if let clip = file.strategy?.clipNorm, Double(clip) != privacy.clipNorm {
                throw invalid(
                    "strategy.clip_norm (\(clip)) and privacy.clip_norm (\(privacy.clipNorm)) differ: with privacy, "
                        + "set the clip norm under privacy only"
                )
            }
            do throws(PrivacySettingsError) {
                // Rounds start with min_sites connected: the rate applies to at least that many.
                self.privacy = try DifferentialPrivacy.resolve(
                    privacy,
                    rounds: policy.rounds,
                    population: policy.minSites,
                    sample: policy.sampleSize
                )
            } catch {
                throw invalid(error.description)
            }
            self.clipNorm = Float(privacy.clipNorm)
        }
        if let conflict = self.strategy.conflict(
            privacy: self.privacy != nil, secureAggregation: file.secureAggregation != nil, clipNorm: self.clipNorm != nil)
        {
            throw invalid(conflict)
        }
        if let secure = file.secureAggregation {
            let sampled = self.privacy.map { _ in policy.minSites } ?? policy.sampleSize.count(of: policy.minSites)
            if let problem = secure.problem(sites: sampled) { throw invalid(problem) }
            self.secureAggregation = secure
        }
        if let early = file.earlyStopping {
            if let problem = early.problems.first { throw invalid(problem) }
            // The best round's checkpoint is the result: keep enough to still hold it at the end.
            if let keep = self.keepCheckpoints, keep < early.patience + 2 {
                throw invalid(
                    "keep_checkpoints \(keep) may delete the best round's checkpoint, which early stopping makes the "
                        + "result; keep at least early_stopping.patience + 2 = \(early.patience + 2)")
            }
            self.earlyStopping = early
        }
        self.training = file.training ?? TrainingConfiguration()
        self.allowList = file.allow.map(Set.init)
        self.revocationList = file.crl.map(resolve)
        self.file = URL(fileURLWithPath: path)
        self.hosts = file.hosts ?? (["0.0.0.0", "::", ""].contains(self.host) ? [] : [self.host])
    }
}
