import FedCoordinator
import FedLearning
import FedRounds
import FedTLS
import FedTensor
import Foundation

/// The federation as it runs for real, on one machine: a throwaway PKI, each site's
/// private data written to its own folder, `fedtune coordinator` and one `fedtune client`
/// process per site over mutual TLS on 127.0.0.1 with an ephemeral port. Rounds are read
/// back from the coordinator's state folder and scored on the global test set.
struct ProcessFederation<Model: SimulatedModel> {
    let scenario: Scenario
    let setup: SimulationSetup<Model>
    let training: TrainingConfiguration
    /// The fedtune binary to start (this process's own executable).
    let executable: URL
    let folder: URL
    var interruption: Interruption?

    /// Runs every round; leaves the final global model in `setup.model`.
    func run(onRound: (SimulationRound) -> Void) throws -> [SimulationRound] {
        try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
        let pki = PKIFolder(self.folder.appendingPathComponent("certs"))
        _ = try pki.initialise()
        for site in self.setup.siteNames { _ = try pki.issueSite(site) }
        try self.setup.reset()
        try self.setup.model.anyClassifier.save(to: self.folder.appendingPathComponent("pretrained"))
        for site in self.setup.sites {
            let siteFolder = self.folder.appendingPathComponent("sites/\(site.name)")
            try FileManager.default.createDirectory(at: siteFolder, withIntermediateDirectories: true)
            try site.file.write(to: siteFolder.appendingPathComponent(site.file.fileName))
        }
        let state = StateFolder(self.folder.appendingPathComponent("state"))
        try self.coordinatorYAML().write(
            to: self.folder.appendingPathComponent("coordinator.yaml"),
            atomically: true,
            encoding: .utf8
        )

        var processes: [Process] = []
        defer { for process in processes where process.isRunning { process.terminate() } }
        let portFile = self.folder.appendingPathComponent("port")
        processes.append(
            try self.start(
                ["coordinator", "--config", "coordinator.yaml", "--port-file", "port"],
                log: "coordinator.log"
            )
        )
        let deadline = Date().addingTimeInterval(60)
        while FileManager.default.contents(atPath: portFile.path) == nil, Date() < deadline, processes[0].isRunning {
            Thread.sleep(forTimeInterval: 0.02)
        }
        guard let text = FileManager.default.contents(atPath: portFile.path),
            let port = Int(String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw ScenarioError.invalid(
                path: self.scenario.name,
                detail: "the coordinator did not start; see \(self.folder.path)/coordinator.log"
            )
        }
        for site in self.setup.sites {
            processes.append(
                try self.start(
                    [
                        "client", "--coordinator", "127.0.0.1:\(port)", "--identity", "certs/sites/\(site.name)",
                        "--data", "sites/\(site.name)/\(site.file.fileName)", "--cache", "sites/\(site.name)/cache",
                        "--evaluation", "\(self.scenario.siteTestFraction)", "--seed",
                        "\(DataPlan.siteSplitSeed(self.scenario))",
                    ]
                        + site.file.clientArguments,
                    log: "sites/\(site.name)/client.log"
                )
            )
        }

        var rows: [SimulationRound] = []
        let frozen = Set(self.setup.model.parameters.entries.filter { !$0.travels }.map(\.name))
        let trainCounts = Dictionary(uniqueKeysWithValues: self.setup.sites.map { ($0.name, $0.train.count) })
        let limit = Date().addingTimeInterval(Double(self.scenario.rounds) * 1800)
        var stopping = false
        while processes.contains(where: \.isRunning) || rows.count < ((try? state.records().count) ?? 0) {
            if !stopping, self.interruption?.isRequested == true {
                // As on Ctrl-C in a terminal: the coordinator keeps every saved round and the
                // sites stop; each exits 0.
                stopping = true
                for process in processes where process.isRunning { kill(process.processIdentifier, SIGINT) }
            }
            guard Date() < limit else {
                throw ScenarioError.invalid(path: self.scenario.name, detail: "the federation did not finish in time")
            }
            for record in try state.records() where record.round > rows.count {
                // Only the trainable tensors change; loading the frozen ones too would also
                // drop a head-mode model's cached embeddings.
                let url = state.checkpointURL(round: record.round)
                let checkpoint = try Safetensors.read(contentsOf: url, skipping: frozen)
                try self.setup.model.load(checkpoint.tensors, requireAll: false, source: url.path)
                let positive = self.scenario.positiveClassIndex(in: self.setup.classNames)
                let score = Score(self.setup.model, self.setup.test, positiveClass: positive)
                let row = SimulationRound(
                    record: record,
                    testAccuracy: score.accuracy,
                    testLoss: score.loss,
                    testMacroF1: score.metrics.macroF1,
                    testScreening: score.screening,
                    siteResults: record.sites.map {
                        .init(site: $0, examples: trainCounts[$0] ?? 0, trainLoss: nil, trainAccuracy: nil)
                    }
                )
                rows.append(row)
                onRound(row)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        if stopping { return rows }
        let stoppedEarly = rows.last?.record.earlyStopping?.stopped == true
        guard processes.allSatisfy({ $0.terminationStatus == 0 }), rows.count == self.scenario.rounds || stoppedEarly
        else {
            throw ScenarioError.invalid(
                path: self.scenario.name,
                detail: "a process failed; logs are in \(self.folder.path)"
            )
        }
        if let early = self.scenario.earlyStopping,
            let best = EarlyStopping(settings: early, evaluations: try state.evaluations()).best?.round,
            best != rows.last?.round
        {
            // The result, as the coordinator's final model: the round with the best validation loss.
            let url = state.checkpointURL(round: best)
            let checkpoint = try Safetensors.read(contentsOf: url, skipping: frozen)
            try self.setup.model.load(checkpoint.tensors, requireAll: false, source: url.path)
        }
        // As the coordinator's final model: the sites' weighted threshold, with threshold_target.
        let model = self.setup.model
        if self.training.threshold != nil, model.classCount == 2, case .tabular(let tabular) = model.anyClassifier {
            let round = rows.last?.record.earlyStopping?.bestRound ?? rows.count
            tabular.setDecisionThreshold(EvaluationRecord.federatedThreshold(try state.evaluations(), round: round))
        }
        return rows
    }

    private func coordinatorYAML() throws -> String {
        // YAML takes JSON as a flow mapping, so the local training settings go in as JSON
        // (with coordinator.yaml's own snake_case keys).
        let training = String(decoding: try JSONEncoder().encode(self.training), as: UTF8.self)
        var yaml = """
            listen: 127.0.0.1:0
            identity: certs/coordinator
            model: pretrained
            state: state
            rounds: \(self.scenario.rounds)
            min_sites: \(self.setup.siteNames.count)
            quorum: 1
            seed: \(self.scenario.seed)
            deadline_seconds: 1800
            training: \(training)
            strategy:
              server_learning_rate: \(self.scenario.serverLearningRate)

            """
        if let clip = self.scenario.clipNorm { yaml += "  clip_norm: \(clip)\n" }
        yaml += Self.yaml(self.scenario.strategySettings)
        switch self.scenario.sample {
        case .all: break
        case .count(let count): yaml += "sample: \"\(count)\"\n"
        case .fraction(let fraction): yaml += "sample: \"\(fraction)\"\n"
        case .poisson: break  // set by the privacy section
        }
        if let privacy = self.scenario.privacy { yaml += Self.yaml(privacy) }
        if let early = self.scenario.earlyStopping {
            yaml += "early_stopping: {patience: \(early.patience), min_delta: \(early.minDelta)}\n"
        }
        if let secure = self.scenario.secureAggregation {
            yaml += "secure_aggregation:\n"
            yaml += secure.neighbours.map { "  neighbours: \($0)\n" } ?? ""
            yaml += secure.threshold.map { "  threshold: \($0)\n" } ?? ""
            if secure.neighbours == nil, secure.threshold == nil { yaml = String(yaml.dropLast()) + " {}\n" }
        }
        return yaml
    }

    /// The `strategy` keys beyond clip_norm and server_learning_rate, as coordinator.yaml spells
    /// them (indented under `strategy:`).
    private static func yaml(_ strategy: StrategySettings?) -> String {
        guard let s = strategy else { return "" }
        let values: [(String, String?)] = [
            ("optimizer", s.optimizer), ("momentum", s.momentum.map { "\($0)" }), ("beta1", s.beta1.map { "\($0)" }),
            ("beta2", s.beta2.map { "\($0)" }), ("tau", s.tau.map { "\($0)" }), ("aggregation", s.aggregation),
            ("trim_fraction", s.trimFraction.map { "\($0)" }), ("byzantine_sites", s.byzantineSites.map { "\($0)" }),
            ("krum_selected", s.krumSelected.map { "\($0)" }),
            ("norm_bound_multiple", s.normBoundMultiple.map { "\($0)" }), ("compression", s.compression),
            ("topk_fraction", s.topkFraction.map { "\($0)" }),
        ]
        return values.compactMap { key, value in value.map { "  \(key): \($0)\n" } }.joined()
    }

    /// The scenario's `privacy` section as coordinator.yaml spells it.
    private static func yaml(_ privacy: PrivacySettings) -> String {
        var lines = ["privacy:", "  clip_norm: \(privacy.clipNorm)"]
        if let z = privacy.noiseMultiplier { lines.append("  noise_multiplier: \(z)") }
        if let target = privacy.targetEpsilon { lines.append("  target_epsilon: \(target)") }
        if let delta = privacy.delta { lines.append("  delta: \(delta)") }
        if let sampling = privacy.sampling { lines.append("  sampling: \(sampling)") }
        if let rate = privacy.sampleRate { lines.append("  sample_rate: \(rate)") }
        if let adaptive = privacy.adaptiveClipping {
            lines.append("  adaptive_clipping:")
            if let quantile = adaptive.targetQuantile { lines.append("    target_quantile: \(quantile)") }
            if let step = adaptive.learningRate { lines.append("    learning_rate: \(step)") }
            if let stddev = adaptive.countStddev { lines.append("    count_stddev: \(stddev)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func start(_ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = self.executable
        process.arguments = arguments
        process.currentDirectoryURL = self.folder
        // One BLAS thread per process: the sites already run side by side on the cores.
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = environment
        let logURL = self.folder.appendingPathComponent(log)
        try FileManager.default.createDirectory(
            at: logURL.deletingLastPathComponent(),
            withIntermediateDirectories: true
        )
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logURL)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }
}
