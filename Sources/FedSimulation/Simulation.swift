import FedCoordinator
import FedData
import FedFetch
import FedLearning
import FedReport
import FedRounds
import FedTensor
import Foundation

/// `fedtune simulate`: a whole federation on one machine, next to the baselines a
/// researcher asks for first — the pretrained model (or its linear probe), each site
/// fine-tuning alone, and centralised training on the pooled data — all scored on one
/// held-out global test set, with each site's own held-out data scored too.
///
/// The federation runs first and the baselines after it, so its result does not depend
/// on whether the baselines run (they draw on the same model's dropout streams).
package struct Simulation {
    package struct Options: Sendable {
        /// The run folder (metrics.jsonl, summary.json, model/, report.html); nil keeps nothing.
        package var output: URL?
        /// Run the sites-alone and centralised baselines (and a text model's linear probe).
        package var baselines = true
        /// The fedtune binary to start site and coordinator processes with; nil runs the
        /// sites in this process over an in-memory transport.
        package var processes: URL?
        /// The fetch cache for named datasets and models.
        package var cache: URL = ArtifactCache.defaultRoot()
        /// Keep every round's checkpoint in the run folder, not only the last.
        package var keepCheckpoints = false
        /// Stops the run early, keeping what finished (nil: runs to the end).
        package var interruption: Interruption?
        /// The scenario's file, copied into the run folder as scenario.yaml (nil copies nothing).
        package var scenarioFile: URL?

        package init(
            output: URL? = nil,
            baselines: Bool = true,
            processes: URL? = nil,
            cache: URL? = nil,
            keepCheckpoints: Bool = false,
            interruption: Interruption? = nil,
            scenarioFile: URL? = nil
        ) {
            self.scenarioFile = scenarioFile
            self.interruption = interruption
            self.output = output
            self.baselines = baselines
            self.processes = processes
            self.cache = cache ?? ArtifactCache.defaultRoot()
            self.keepCheckpoints = keepCheckpoints
        }
    }

    /// What a run measured: the summary the report draws, the rounds, and what failed.
    package struct Report: Sendable {
        package var summary: RunSummary
        package var rounds: [SimulationRound]
        /// Expectations that did not hold.
        package var failures: [String]
        /// Expectations that could not be checked because a baseline was skipped.
        package var unchecked: [String]
        package var seconds: Double
        /// The last round that finished when the run was interrupted; nil when it ran to the end.
        package var interruptedAfter: Int?

        package var scenario: String { self.summary.scenario }
        package var sites: Int { self.summary.sites.count }
        package var pretrainedAccuracy: Double? { self.summary.baseline(.pretrained)?.metrics.accuracy }
        /// Mean over sites of each site's fine-tuned-alone accuracy (nil when skipped).
        package var localAccuracy: Double? { self.summary.baseline(.sitesAloneMean)?.metrics.accuracy }
        package var centralisedAccuracy: Double? { self.summary.baseline(.centralised)?.metrics.accuracy }
        package var federated: MetricsSummary { self.summary.baseline(.federated)!.metrics }
        package var federatedAccuracy: Double { self.federated.accuracy }
        package var federatedMacroF1: Double { self.federated.macroF1 }
    }

    package let scenario: Scenario
    package let options: Options

    package init(scenario: Scenario, options: Options) {
        self.scenario = scenario
        self.options = options
    }

    /// Runs the scenario; `onRound` sees each round as it closes and `log` gets a line per
    /// step (fetching, each baseline).
    package func run(
        onRound: (SimulationRound) -> Void = { _ in },
        log: @escaping (String) -> Void = { _ in }
    ) throws
        -> Report
    {
        let started = Date()
        // A finished run is never overwritten, nor its rounds appended to.
        if let output = self.options.output,
            let contents = try? FileManager.default.contentsOfDirectory(atPath: output.path), !contents.isEmpty
        {
            throw ScenarioError.invalid(
                path: output.path,
                detail: "this folder already holds a run (\(contents.sorted().prefix(3).joined(separator: ", "))…) "
                    + "---> HINT: give --out a new folder, or leave --out out for runs/<scenario>-<time>"
            )
        }
        let cache = ArtifactCache(root: self.options.cache)
        if self.scenario.isImage {
            return try self.run(
                SimulationSetup<ImageClassifier>.image(self.scenario, cache: cache, log: log),
                started: started,
                onRound: onRound,
                log: log
            )
        }
        if self.scenario.isText {
            return try self.run(
                SimulationSetup<TextClassifier>.text(self.scenario, cache: cache, log: log),
                started: started,
                onRound: onRound,
                log: log
            )
        }
        return try self.run(
            SimulationSetup<Classifier>.tabular(self.scenario, cache: cache, log: log),
            started: started,
            onRound: onRound,
            log: log
        )
    }

    private func run<Model: SimulatedModel>(
        _ setup: SimulationSetup<Model>,
        started: Date,
        onRound: (SimulationRound) -> Void,
        log: @escaping (String) -> Void
    ) throws -> Report {
        var training = self.scenario.local
        if self.scenario.classWeighting == .balanced {
            training.classWeights = TrainingConfiguration.balancedClassWeights(counts: setup.pooledClassCounts)
        }
        let folder = self.options.output.map(RunFolder.init)
        let environment = RunEnvironment.current()
        let mode =
            self.options.processes == nil
            ? RunSummary.inProcessMode : "a coordinator and \(setup.sites.count) site processes over mutual TLS"
        try folder?.start(
            self.startSummary(setup, training: training, mode: mode, started: started, environment: environment),
            scenarioFile: self.options.scenarioFile
        )
        // Each round: the global model on every site's held-out data, and its lines appended
        // to metrics.jsonl at once (a killed run keeps them).
        var heldOut: [Int: [String: SimulationRound.HeldOutScore]] = [:]
        func closed(_ row: SimulationRound) {
            var row = row
            row.siteHeldOut = Self.heldOutScores(setup)
            heldOut[row.round] = row.siteHeldOut
            // The run folder is written whole at the end; a failed append only costs a killed run its lines.
            do { try folder?.append(row) } catch { log("metrics.jsonl: round \(row.round) not appended: \(error)") }
            onRound(row)
        }
        var rounds: [SimulationRound]
        if let executable = self.options.processes {
            if self.scenario.attack != nil {
                throw ScenarioError.invalid(
                    path: self.scenario.name,
                    detail: "an attack runs in process only (a site process has no way to misbehave on purpose) "
                        + "---> HINT: add --inprocess")
            }
            let base =
                self.options.output
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-simulate-\(UUID())")
            defer { if self.options.output == nil { try? FileManager.default.removeItem(at: base) } }
            rounds = try ProcessFederation(
                scenario: self.scenario,
                setup: setup,
                training: training,
                executable: executable,
                folder: base.appendingPathComponent("federation"),
                interruption: self.options.interruption
            ).run(onRound: closed)
        } else {
            let state = folder.map { StateFolder($0.url.appendingPathComponent("state")) }
            rounds = try InProcessFederation(scenario: self.scenario, setup: setup, training: training, state: state)
                .run(interruption: self.options.interruption, onRound: closed)
        }
        for index in rounds.indices { rounds[index].siteHeldOut = heldOut[rounds[index].round] ?? [:] }
        let interrupted = self.options.interruption?.isRequested == true && rounds.count < self.scenario.rounds
        guard !interrupted || !rounds.isEmpty else {
            throw ScenarioError.invalid(
                path: self.scenario.name,
                detail: "interrupted before the first round finished; nothing to report"
            )
        }
        let positive = self.scenario.positiveClassIndex(in: setup.classNames)
        let federated = Score(setup.model, setup.test, positiveClass: positive)
        let onSites = setup.sites.map { $0.heldOut.count > 0 ? Score(setup.model, $0.heldOut) : nil }
        if let folder { try setup.model.anyClassifier.save(to: folder.modelURL) }

        let runsBaselines = self.options.baselines && !interrupted
        let progress = BaselineProgress(
            total: runsBaselines ? setup.sites.count + 1 + (setup.probe == nil ? 0 : 1) : 0, log: log)
        let baselines = Baselines(
            scenario: self.scenario, setup: setup, training: training, log: runsBaselines ? progress.counting : log)
        var results = RunResults(
            rounds: rounds,
            federated: federated,
            federatedOnSites: onSites,
            pretrained: nil,
            probe: setup.probe != nil,
            sitesAlone: nil,
            centralised: nil,
            newClasses: setup.newClasses
        )
        let runBaselines = runsBaselines
        if runBaselines {
            // Sites alone first: in head mode it caches each site's embeddings, which the
            // pooled data of centralised training and the probe then reuse.
            results.sitesAlone = try baselines.sitesAlone()
            results.centralised = try baselines.centralised()
        }
        if runBaselines || (setup.probe == nil && !interrupted) {
            results.pretrained = try baselines.pretrained()
        }

        var (expectations, unchecked) = self.scenario.expectations.check(results, siteNames: setup.siteNames)
        var notes = setup.notes
        if interrupted {
            // What was asked of a whole run cannot be judged on part of it.
            expectations = []
            unchecked = ["every expectation (interrupted after round \(rounds.count) of \(self.scenario.rounds))"]
            notes.append("Interrupted after round \(rounds.count) of \(self.scenario.rounds); baselines skipped.")
        }
        if runBaselines {
            notes.append(
                "Each site alone and centralised training run \(baselines.totalEpochs) epochs from the pretrained model: "
                    + "as many as the federation gives a site in all its rounds."
            )
        }
        if let early = rounds.last?.record.earlyStopping, early.stopped {
            notes.append(
                "Early stopping ended the run after round \(rounds.count) of \(self.scenario.rounds): the federated "
                    + "validation loss had not improved for \(early.patience) evaluated rounds. The federated model is "
                    + "round \(early.bestRound)'s (validation loss \(String(format: "%.4g", early.bestLoss)))."
            )
        } else if let early = rounds.last?.record.earlyStopping {
            notes.append(
                "Early stopping (patience \(early.patience)) did not end the run; the federated model is the round's "
                    + "with the lowest federated validation loss."
            )
        }
        if self.scenario.classWeighting == .balanced {
            notes.append(
                "Class-weighted loss: weights n / (classes · count) from the class counts of all sites' training data, "
                    + "the same at every site."
            )
        }
        notes += unchecked.map { "Not checked: \($0)." }
        let seconds = Date().timeIntervalSince(started)
        let summary = RunSummary(
            scenario: self.scenario,
            classNames: setup.classNames,
            sites: Self.siteFacts(setup),
            setupSettings: setup.settings,
            notes: notes,
            results: results,
            training: training,
            testExamples: setup.test.count,
            mode: mode,
            started: started,
            seconds: seconds,
            expectations: expectations,
            evaluations: Self.evaluations(in: folder),
            environment: environment,
            interrupted: interrupted
        )
        try folder?.write(rounds: rounds, summary: summary)
        if !self.options.keepCheckpoints { try folder?.pruneCheckpoints() }
        return Report(
            summary: summary,
            rounds: rounds,
            failures: expectations.filter { !$0.passed }.map { $0.text + ($0.observed.map { " (\($0))" } ?? "") },
            unchecked: unchecked,
            seconds: seconds,
            interruptedAfter: interrupted ? rounds.count : nil
        )
    }
}
